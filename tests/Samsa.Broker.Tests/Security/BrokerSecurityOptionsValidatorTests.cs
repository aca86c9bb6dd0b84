using System.Security.Cryptography.X509Certificates;
using Samsa.Broker.Security;

namespace Samsa.Broker.Tests.Security;

public class BrokerSecurityOptionsValidatorTests(TestPki pki) : IClassFixture<TestPki>
{
    private static BrokerSecurityOptions Sasl(BrokerSecurityProtocol protocol = BrokerSecurityProtocol.SaslPlaintext)
    {
        var options = new BrokerSecurityOptions { Protocol = protocol };
        options.SaslMechanisms.Add(SaslMechanismNames.ScramSha512);
        options.Users.Add("alice", "alice-secret");
        return options;
    }

    [Fact]
    public void Validate_Defaults_NoProblems() =>
        Assert.Empty(BrokerSecurityOptionsValidator.Validate(new BrokerSecurityOptions()));

    [Fact]
    public void Validate_SaslSslWithPemFiles_NoProblems()
    {
        var options = Sasl(BrokerSecurityProtocol.SaslSsl);
        options.ServerCertificatePath = pki.ServerCertificatePath;
        options.ServerKeyPath = pki.ServerKeyPath;

        Assert.Empty(BrokerSecurityOptionsValidator.Validate(options));
    }

    [Theory]
    [InlineData(BrokerSecurityProtocol.Ssl)]
    [InlineData(BrokerSecurityProtocol.SaslSsl)]
    public void Validate_TlsWithoutCertificate_NamesTheSettings(BrokerSecurityProtocol protocol)
    {
        var options = protocol == BrokerSecurityProtocol.SaslSsl ? Sasl(protocol) : new BrokerSecurityOptions { Protocol = protocol };

        var problem = Assert.Single(BrokerSecurityOptionsValidator.Validate(options));

        Assert.Contains($"is {protocol.ToKafkaName()}, which needs a server certificate", problem, StringComparison.Ordinal);
        Assert.Contains("Security.ServerCertificatePath", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_CertificateWithoutPrivateKey_SaysSo()
    {
        using var publicOnly = X509CertificateLoader.LoadCertificate(pki.Server.RawData);
        var options = new BrokerSecurityOptions { Protocol = BrokerSecurityProtocol.Ssl, ServerCertificate = publicOnly };

        var problem = Assert.Single(BrokerSecurityOptionsValidator.Validate(options));

        Assert.Contains("has no private key", problem, StringComparison.Ordinal);
        Assert.Contains(pki.Server.Thumbprint, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PemCertificateWithoutKeyFile_SaysItCouldNotLoad()
    {
        var options = new BrokerSecurityOptions { Protocol = BrokerSecurityProtocol.Ssl, ServerCertificatePath = pki.ServerCertificatePath };

        var problem = Assert.Single(BrokerSecurityOptionsValidator.Validate(options));

        Assert.Contains("could not be loaded", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MissingFilesAndConflicts_ReportsEveryProblem()
    {
        var options = new BrokerSecurityOptions
        {
            Protocol = BrokerSecurityProtocol.Ssl,
            ServerCertificatePath = Path.Combine(pki.Directory, "missing.pem"),
            ServerKeyPath = pki.ServerKeyPath,
            ClientAuthentication = TlsClientAuthentication.Required,
            TrustedClientCertificateAuthoritiesPath = Path.Combine(pki.Directory, "missing-ca.pem"),
            HandshakeTimeout = TimeSpan.Zero,
        };

        var problems = BrokerSecurityOptionsValidator.Validate(options);

        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.Contains("missing.pem", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("missing-ca.pem", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("HandshakeTimeout", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_BothCertificateAndPath_Conflict()
    {
        var options = new BrokerSecurityOptions { Protocol = BrokerSecurityProtocol.Ssl, ServerCertificate = pki.Server, ServerCertificatePath = pki.ServerCertificatePath };

        Assert.Contains("both set", Assert.Single(BrokerSecurityOptionsValidator.Validate(options)), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ClientAuthenticationWithoutTlsOrAuthority_ReportsBoth()
    {
        var options = Sasl();
        options.ClientAuthentication = TlsClientAuthentication.Required;

        var problems = BrokerSecurityOptionsValidator.Validate(options);

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Contains("has no TLS", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("no authority is trusted", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_SaslWithoutUsersOrMechanisms_ReportsBoth()
    {
        var options = new BrokerSecurityOptions { Protocol = BrokerSecurityProtocol.SaslPlaintext };

        var problems = BrokerSecurityOptionsValidator.Validate(options);

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.Contains("SaslMechanisms is empty", StringComparison.Ordinal) && p.Contains("SCRAM-SHA-512", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("no user is configured", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("SCRAM-SHA512", "did you mean 'SCRAM-SHA-512'?")]
    [InlineData("scram-sha-256", "did you mean 'SCRAM-SHA-256'?")]
    [InlineData("PLAN", "did you mean 'PLAIN'?")]
    [InlineData("GSSAPI", "which Samsa.Broker does not serve")]
    [InlineData("OAUTHBEARER", "which Samsa.Broker does not serve")]
    public void Validate_UnknownMechanism_SuggestsNearest(string mechanism, string expected)
    {
        var options = Sasl();
        options.SaslMechanisms.Add(mechanism);

        var problem = Assert.Single(BrokerSecurityOptionsValidator.Validate(options));

        Assert.Contains($"'{mechanism}'", problem, StringComparison.Ordinal);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ValidateBrokerOptions_SecurityProblem_IsReportedWithTheRest()
    {
        var options = new BrokerOptions { NodeCount = 0 };
        options.Security.Protocol = BrokerSecurityProtocol.SaslSsl;

        var problems = BrokerOptionsValidator.Validate(options);

        Assert.Contains(problems, p => p.StartsWith("NodeCount", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("needs a server certificate", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("no user is configured", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("PLAINTEXT", BrokerSecurityProtocol.Plaintext)]
    [InlineData("ssl", BrokerSecurityProtocol.Ssl)]
    [InlineData("SASL_PLAINTEXT", BrokerSecurityProtocol.SaslPlaintext)]
    [InlineData("SASL_SSL", BrokerSecurityProtocol.SaslSsl)]
    public void TryParse_KafkaName_RoundTrips(string name, BrokerSecurityProtocol expected)
    {
        Assert.True(BrokerSecurityProtocolNames.TryParse(name, out var protocol));
        Assert.Equal(expected, protocol);
        Assert.Equal(name.ToUpperInvariant(), protocol.ToKafkaName());
    }

    [Fact]
    public void TryParse_UnknownName_Fails() =>
        Assert.False(BrokerSecurityProtocolNames.TryParse("SASL-SSL", out _));
}
