using System.Text;
using Samsa.Broker.Security;
using Samsa.Protocol;

namespace Samsa.Broker.Tests.Security;

public class SaslSessionTests
{
    private readonly List<SaslState> _completions = [];

    private SaslSession CreateSession(params string[] mechanisms)
    {
        var options = new BrokerSecurityOptions { Protocol = BrokerSecurityProtocol.SaslPlaintext };
        options.SaslMechanisms.AddRange(mechanisms.Length == 0 ? [SaslMechanismNames.Plain, SaslMechanismNames.ScramSha512] : mechanisms);
        options.Users.Add("alice", "alice-secret");
        return new SaslSession(new ListenerSecurity(options), s => _completions.Add(s.State));
    }

    [Fact]
    public void Admit_KafkaOrder_AllowsApiVersionsOnceThenHandshakeThenAuthenticate()
    {
        var session = CreateSession();

        Assert.Null(session.Admit(ApiKey.ApiVersions));
        Assert.Null(session.Admit(ApiKey.SaslHandshake));
        session.Handshake(SaslMechanismNames.Plain, 1);
        Assert.Null(session.Admit(ApiKey.SaslAuthenticate));
        session.Authenticate(Encoding.UTF8.GetBytes("\0alice\0alice-secret"));

        Assert.Null(session.Admit(ApiKey.Metadata));
        Assert.Equal(SaslState.Authenticated, session.State);
        Assert.Equal("User:alice", session.Principal);
        Assert.Equal([SaslState.Authenticated], _completions);
    }

    [Theory]
    [InlineData(ApiKey.Metadata)]
    [InlineData(ApiKey.Produce)]
    [InlineData(ApiKey.SaslAuthenticate)]
    public void Admit_OtherRequestFirst_RefusesAndFails(ApiKey apiKey)
    {
        var session = CreateSession();

        var refusal = session.Admit(apiKey);

        Assert.NotNull(refusal);
        Assert.Contains(apiKey.ToString(), refusal, StringComparison.Ordinal);
        Assert.Equal(SaslState.Failed, session.State);
    }

    [Fact]
    public void Admit_SecondApiVersionsBeforeHandshake_Refuses()
    {
        var session = CreateSession();
        session.Admit(ApiKey.ApiVersions);

        Assert.NotNull(session.Admit(ApiKey.ApiVersions));
    }

    [Fact]
    public void Admit_ApiVersionsAfterHandshakeV1_Refuses()
    {
        var session = CreateSession();
        session.Handshake(SaslMechanismNames.Plain, 1);

        Assert.Contains("only SaslAuthenticate", session.Admit(ApiKey.ApiVersions), StringComparison.Ordinal);
    }

    [Fact]
    public void Handshake_V0_ExpectsRawTokensAndAnswersEmptyTokenForPlain()
    {
        var session = CreateSession();

        var response = session.Handshake(SaslMechanismNames.Plain, 0);
        var answer = session.EvaluateRawToken("\0alice\0alice-secret"u8);

        Assert.Equal(0, response.ErrorCode);
        Assert.Equal([SaslMechanismNames.Plain, SaslMechanismNames.ScramSha512], response.Mechanisms);
        Assert.NotNull(answer);
        Assert.Empty(answer);
        Assert.True(session.IsAuthenticated);
    }

    [Fact]
    public void Handshake_DisabledMechanism_AnswersUnsupportedWithEnabledListAndFails()
    {
        var session = CreateSession(SaslMechanismNames.ScramSha512);

        var response = session.Handshake(SaslMechanismNames.Plain, 1);

        Assert.Equal((short)ErrorCode.UnsupportedSaslMechanism, response.ErrorCode);
        Assert.Equal([SaslMechanismNames.ScramSha512], response.Mechanisms);
        Assert.Equal([SaslState.Failed], _completions);
        Assert.Contains("'PLAIN'", session.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Authenticate_WrongPassword_AnswersAuthenticationFailedAndFails()
    {
        var session = CreateSession();
        session.Handshake(SaslMechanismNames.Plain, 1);

        var response = session.Authenticate(Encoding.UTF8.GetBytes("\0alice\0wrong"));

        Assert.Equal((short)ErrorCode.SaslAuthenticationFailed, response.ErrorCode);
        Assert.Contains("PLAIN", response.ErrorMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", response.ErrorMessage, StringComparison.Ordinal);
        Assert.Equal([SaslState.Failed], _completions);
    }

    [Fact]
    public void HandshakeAndAuthenticate_AfterAuthentication_AnswerIllegalSaslStateAndStayAuthenticated()
    {
        var session = CreateSession();
        session.Handshake(SaslMechanismNames.Plain, 1);
        session.Authenticate(Encoding.UTF8.GetBytes("\0alice\0alice-secret"));

        var handshake = session.Handshake(SaslMechanismNames.Plain, 1);
        var authenticate = session.Authenticate([]);

        Assert.Equal((short)ErrorCode.IllegalSaslState, handshake.ErrorCode);
        Assert.Equal((short)ErrorCode.IllegalSaslState, authenticate.ErrorCode);
        Assert.True(session.IsAuthenticated);
    }

    [Fact]
    public void Authenticate_ScramSha512Steps_ReturnsChallengesAndZeroSessionLifetime()
    {
        var session = CreateSession();
        var client = new ScramTestClient(SaslMechanismNames.ScramSha512, "alice", "alice-secret");
        session.Handshake(SaslMechanismNames.ScramSha512, 1);

        var first = session.Authenticate(client.ClientFirst());
        var final = session.Authenticate(client.ClientFinal(first.AuthBytes));

        Assert.Equal(0, first.ErrorCode);
        Assert.Equal(0, final.ErrorCode);
        Assert.Equal(0, final.SessionLifetimeMs);
        Assert.True(client.VerifyServerFinal(final.AuthBytes));
        Assert.Equal("User:alice", session.Principal);
    }
}
