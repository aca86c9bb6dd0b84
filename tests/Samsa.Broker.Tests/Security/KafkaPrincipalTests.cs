using Samsa.Broker.Security;

namespace Samsa.Broker.Tests.Security;

public class KafkaPrincipalTests(TestPki pki) : IClassFixture<TestPki>
{
    [Fact]
    public void FromCertificate_ClientCertificate_IsRfc2253SubjectMostSpecificFirst() =>
        Assert.Equal("User:CN=samsa-client,O=Samsa Tests", KafkaPrincipal.FromCertificate(pki.Client));

    [Fact]
    public void User_Name_IsPrefixed() =>
        Assert.Equal("User:alice", KafkaPrincipal.User("alice"));
}
