using Samsa.Broker.Security.Authorization;

namespace Samsa.Broker.Tests.Security;

/// <summary>The authorizer's rules, each checked against what Kafka's StandardAuthorizer decides for the same ACLs.</summary>
public sealed class AclAuthorizerTests
{
    private const string Alice = "User:alice";
    private const string Host = "10.0.0.5";

    private static AclBinding Acl(string name, AclOperation operation, AclPermissionType permission = AclPermissionType.Allow, AclPatternType pattern = AclPatternType.Literal, string principal = Alice, string host = "*", AclResourceType type = AclResourceType.Topic) =>
        new(type, name, pattern, principal, host, operation, permission);

    private static AclAuthorizer With(params AclBinding[] acls) => With(false, acls);

    private static AclAuthorizer With(bool allowIfNoAcl, params AclBinding[] acls)
    {
        var authorizer = new AclAuthorizer(["User:admin"], allowIfNoAcl, store: null);
        Assert.All(authorizer.Create(acls), Assert.Null);
        return authorizer;
    }

    [Fact]
    public void Authorize_NoAclsAndNotAllowedEveryone_Denies() =>
        Assert.False(With().Authorize(Alice, Host, AclOperation.Read, AclResourceType.Topic, "t"));

    [Fact]
    public void Authorize_NoAclsOnResourceWithAllowEveryone_AllowsButAclOnResourceCloses()
    {
        var authorizer = With(true, Acl("t", AclOperation.Read, principal: "User:bob"));

        Assert.True(authorizer.Authorize(Alice, Host, AclOperation.Write, AclResourceType.Topic, "other"));
        Assert.False(authorizer.Authorize(Alice, Host, AclOperation.Read, AclResourceType.Topic, "t"));
    }

    [Fact]
    public void Authorize_SuperUser_AllowedDespiteDeny() =>
        Assert.True(With(Acl("t", AclOperation.All, AclPermissionType.Deny, principal: "User:*")).Authorize("User:admin", Host, AclOperation.Delete, AclResourceType.Topic, "t"));

    [Theory]
    [InlineData((int)AclOperation.Read, (int)AclOperation.Describe, true)]
    [InlineData((int)AclOperation.Write, (int)AclOperation.Describe, true)]
    [InlineData((int)AclOperation.Delete, (int)AclOperation.Describe, true)]
    [InlineData((int)AclOperation.Alter, (int)AclOperation.Describe, true)]
    [InlineData((int)AclOperation.AlterConfigs, (int)AclOperation.DescribeConfigs, true)]
    [InlineData((int)AclOperation.Create, (int)AclOperation.Describe, false)]
    [InlineData((int)AclOperation.Describe, (int)AclOperation.Read, false)]
    [InlineData((int)AclOperation.All, (int)AclOperation.AlterConfigs, true)]
    public void Authorize_AllowAcl_ImpliesAsKafka(int granted, int asked, bool allowed) =>
        Assert.Equal(allowed, With(Acl("t", (AclOperation)granted)).Authorize(Alice, Host, (AclOperation)asked, AclResourceType.Topic, "t"));

    [Fact]
    public void Authorize_DenyReadDoesNotDenyDescribe()
    {
        var authorizer = With(Acl("t", AclOperation.Write), Acl("t", AclOperation.Read, AclPermissionType.Deny));

        Assert.True(authorizer.Authorize(Alice, Host, AclOperation.Describe, AclResourceType.Topic, "t"));
        Assert.False(authorizer.Authorize(Alice, Host, AclOperation.Read, AclResourceType.Topic, "t"));
    }

    [Fact]
    public void Authorize_PrefixedDenyWinsOverLiteralAndWildcardAllow()
    {
        var authorizer = With(
            Acl("*", AclOperation.Write, principal: "User:*"),
            Acl("orders", AclOperation.Write),
            Acl("ord", AclOperation.Write, AclPermissionType.Deny, AclPatternType.Prefixed));

        Assert.False(authorizer.Authorize(Alice, Host, AclOperation.Write, AclResourceType.Topic, "orders"));
        Assert.True(authorizer.Authorize(Alice, Host, AclOperation.Write, AclResourceType.Topic, "payments"));
        Assert.True(authorizer.Authorize("User:bob", Host, AclOperation.Write, AclResourceType.Topic, "orders"));
    }

    [Fact]
    public void Authorize_LiteralAclDoesNotCoverLongerNames_PrefixedDoes()
    {
        var authorizer = With(Acl("app", AclOperation.Read), Acl("log-", AclOperation.Read, pattern: AclPatternType.Prefixed));

        Assert.False(authorizer.Authorize(Alice, Host, AclOperation.Read, AclResourceType.Topic, "app-events"));
        Assert.True(authorizer.Authorize(Alice, Host, AclOperation.Read, AclResourceType.Topic, "log-audit"));
    }

    [Fact]
    public void Authorize_HostMustMatchUnlessWildcard()
    {
        var authorizer = With(Acl("t", AclOperation.Read, host: "10.0.0.9"));

        Assert.False(authorizer.Authorize(Alice, Host, AclOperation.Read, AclResourceType.Topic, "t"));
        Assert.True(authorizer.Authorize(Alice, "10.0.0.9", AclOperation.Read, AclResourceType.Topic, "t"));
    }

    [Fact]
    public void Authorize_ResourceTypesAreSeparate() =>
        Assert.False(With(Acl("g", AclOperation.Read)).Authorize(Alice, Host, AclOperation.Read, AclResourceType.Group, "g"));

    [Theory]
    [InlineData((int)AclResourceType.Cluster, "other", (int)AclPatternType.Literal, (int)AclOperation.Alter, (int)AclPermissionType.Allow, "User:a")]
    [InlineData((int)AclResourceType.Topic, "", (int)AclPatternType.Literal, (int)AclOperation.Read, (int)AclPermissionType.Allow, "User:a")]
    [InlineData((int)AclResourceType.Topic, "t", (int)AclPatternType.Match, (int)AclOperation.Read, (int)AclPermissionType.Allow, "User:a")]
    [InlineData((int)AclResourceType.Topic, "t", (int)AclPatternType.Literal, (int)AclOperation.Any, (int)AclPermissionType.Allow, "User:a")]
    [InlineData((int)AclResourceType.Topic, "t", (int)AclPatternType.Literal, (int)AclOperation.Read, (int)AclPermissionType.Any, "User:a")]
    [InlineData((int)AclResourceType.Topic, "t", (int)AclPatternType.Literal, (int)AclOperation.Read, (int)AclPermissionType.Allow, "alice")]
    public void Create_InvalidAcl_RefusedWithReason(int type, string name, int pattern, int operation, int permission, string principal)
    {
        var authorizer = With();

        var error = Assert.Single(authorizer.Create([new AclBinding((AclResourceType)type, name, (AclPatternType)pattern, principal, "*", (AclOperation)operation, (AclPermissionType)permission)]));

        Assert.NotNull(error);
        Assert.Empty(authorizer.Acls);
    }

    [Fact]
    public void Delete_MatchFilter_RemovesEveryAclThatAppliesToTheName()
    {
        var authorizer = With(Acl("orders", AclOperation.Read), Acl("*", AclOperation.Read), Acl("ord", AclOperation.Read, pattern: AclPatternType.Prefixed), Acl("other", AclOperation.Read));

        var deleted = Assert.Single(authorizer.Delete([new AclBindingFilter(AclResourceType.Topic, "orders", AclPatternType.Match, null, null, AclOperation.Any, AclPermissionType.Any)]));

        Assert.Equal(["*", "ord", "orders"], deleted.Select(a => a.ResourceName).Order(StringComparer.Ordinal));
        Assert.Equal("other", Assert.Single(authorizer.Acls).ResourceName);
    }
}
