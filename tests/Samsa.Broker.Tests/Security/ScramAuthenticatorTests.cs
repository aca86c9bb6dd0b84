using System.Text;
using Samsa.Broker.Security;

namespace Samsa.Broker.Tests.Security;

public class ScramAuthenticatorTests
{
    // RFC 7677 §3: user "user", password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==, 4096 iterations.
    private const string RfcClientNonce = "rOprNGfwEbeRWgbNEkqO";
    private const string RfcServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    private const string RfcClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    private const string RfcServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    private const string RfcClientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    private const string RfcServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

    private static BrokerUserCollection RfcUsers()
    {
        var users = new BrokerUserCollection();
        var salt = Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ==");
        users.Add("user", "pencil", salt, salt);
        return users;
    }

    private static ScramAuthenticator RfcAuthenticator() => new(ScramMechanism.Sha256, RfcUsers(), () => RfcServerNonce);

    private static SaslStep Evaluate(ScramAuthenticator authenticator, string message) => authenticator.Evaluate(Encoding.UTF8.GetBytes(message));

    [Fact]
    public void Evaluate_Rfc7677Example_AnswersServerFirstThenServerSignature()
    {
        var authenticator = RfcAuthenticator();

        var first = Evaluate(authenticator, RfcClientFirst);
        var final = Evaluate(authenticator, RfcClientFinal);

        Assert.Equal(SaslStepOutcome.Continue, first.Outcome);
        Assert.Equal(RfcServerFirst, Encoding.UTF8.GetString(first.Challenge));
        Assert.Equal(SaslStepOutcome.Succeeded, final.Outcome);
        Assert.Equal(RfcServerFinal, Encoding.UTF8.GetString(final.Challenge));
        Assert.Equal("user", final.User);
    }

    [Fact]
    public void Evaluate_Rfc7677ExampleWithWrongPassword_FailsAtProof()
    {
        var users = new BrokerUserCollection();
        var salt = Convert.FromBase64String("W22ZaJ0SNY7soEsUEjb6gQ==");
        users.Add("user", "pencil2", salt, salt);
        var authenticator = new ScramAuthenticator(ScramMechanism.Sha256, users, () => RfcServerNonce);

        Assert.Equal(SaslStepOutcome.Continue, Evaluate(authenticator, RfcClientFirst).Outcome);
        var final = Evaluate(authenticator, RfcClientFinal);

        Assert.Equal(SaslStepOutcome.Failed, final.Outcome);
        Assert.Contains("wrong password", final.FailureReason, StringComparison.Ordinal);
        Assert.Empty(final.Challenge);
    }

    [Fact]
    public void Evaluate_UnknownUser_LooksLikeKnownUserUntilProofFails()
    {
        var authenticator = new ScramAuthenticator(ScramMechanism.Sha256, RfcUsers(), () => RfcServerNonce);
        var again = new ScramAuthenticator(ScramMechanism.Sha256, RfcUsers(), () => RfcServerNonce);

        var first = Evaluate(authenticator, "n,,n=nobody,r=" + RfcClientNonce);
        var repeated = Evaluate(again, "n,,n=nobody,r=" + RfcClientNonce);
        var final = Evaluate(authenticator, RfcClientFinal);

        Assert.Equal(SaslStepOutcome.Continue, first.Outcome);
        Assert.Matches("^r=[^,]+,s=[A-Za-z0-9+/=]+,i=4096$", Encoding.UTF8.GetString(first.Challenge));
        Assert.Equal(first.Challenge, repeated.Challenge);
        Assert.Equal(SaslStepOutcome.Failed, final.Outcome);
        Assert.Equal("unknown user", final.FailureReason);
    }

    [Theory]
    [InlineData("SCRAM-SHA-256")]
    [InlineData("SCRAM-SHA-512")]
    public void Evaluate_IndependentClient_BothSidesVerify(string mechanism)
    {
        var users = new BrokerUserCollection { { "alice, the =admin", "s3cret-ünïcode" } };
        var authenticator = new ScramAuthenticator(ScramMechanism.FromName(mechanism)!, users);
        var client = new ScramTestClient(mechanism, "alice, the =admin", "s3cret-ünïcode");

        var first = authenticator.Evaluate(client.ClientFirst());
        var final = authenticator.Evaluate(client.ClientFinal(first.Challenge));

        Assert.Equal(SaslStepOutcome.Succeeded, final.Outcome);
        Assert.Equal("alice, the =admin", final.User);
        Assert.True(client.VerifyServerFinal(final.Challenge));
    }

    [Fact]
    public void Evaluate_ClientFinalNonceWithClientNonceRepeated_IsAcceptedAsKafkaDoes()
    {
        // librdkafka before 2.6 (kcat on Debian's 2.0.2) sends r=<client nonce><client nonce><server nonce>.
        var users = new BrokerUserCollection { { "alice", "alice-secret" } };
        var authenticator = new ScramAuthenticator(ScramMechanism.Sha512, users);
        var client = new ScramTestClient("SCRAM-SHA-512", "alice", "alice-secret");

        var first = authenticator.Evaluate(client.ClientFirst());
        var final = authenticator.Evaluate(client.ClientFinal(first.Challenge, repeatClientNonce: true));

        Assert.Equal(SaslStepOutcome.Succeeded, final.Outcome);
        Assert.True(client.VerifyServerFinal(final.Challenge));
    }

    [Theory]
    [InlineData("p=tls-unique,,n=user,r=abc", "channel binding")]
    [InlineData("x,,n=user,r=abc", "GS2 header")]
    [InlineData("n,,r=abc,n=user", "n=user and r=nonce")]
    [InlineData("n,,m=ext,n=user,r=abc", "mandatory extension")]
    [InlineData("n,,n=us=er,r=abc", "malformed user name")]
    [InlineData("n,,n=user,r=", "nonce")]
    [InlineData("n,,n=user,r=abc,tokenauth=true", "delegation-token")]
    [InlineData("n,a=admin,n=user,r=abc", "authorization id")]
    public void Evaluate_BadClientFirst_Fails(string message, string reason)
    {
        var step = Evaluate(RfcAuthenticator(), message);

        Assert.Equal(SaslStepOutcome.Failed, step.Outcome);
        Assert.Contains(reason, step.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_MatchingAuthorizationId_IsAccepted()
    {
        var step = Evaluate(RfcAuthenticator(), "n,a=user,n=user,r=" + RfcClientNonce);

        Assert.Equal(SaslStepOutcome.Continue, step.Outcome);
    }

    [Theory]
    [InlineData("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0", "no proof")]
    [InlineData("c=eSws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", "channel-binding")]
    [InlineData("c=biws,r=rOprNGfwEbeRWgbNEkqOother,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", "nonce")]
    [InlineData("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=AAAA", "right size")]
    [InlineData("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=eHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=", "wrong password")]
    public void Evaluate_BadClientFinal_Fails(string message, string reason)
    {
        var authenticator = RfcAuthenticator();
        Evaluate(authenticator, RfcClientFirst);

        var step = Evaluate(authenticator, message);

        Assert.Equal(SaslStepOutcome.Failed, step.Outcome);
        Assert.Contains(reason, step.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_AfterExchangeOrFailure_FailsEveryFurtherMessage()
    {
        var done = RfcAuthenticator();
        Evaluate(done, RfcClientFirst);
        Evaluate(done, RfcClientFinal);
        var failed = RfcAuthenticator();
        Evaluate(failed, "garbage");

        Assert.Equal(SaslStepOutcome.Failed, Evaluate(done, RfcClientFinal).Outcome);
        Assert.Equal(SaslStepOutcome.Failed, Evaluate(failed, RfcClientFirst).Outcome);
    }

    [Fact]
    public void Evaluate_InvalidUtf8_Fails()
    {
        var step = RfcAuthenticator().Evaluate([0x6E, 0x2C, 0x2C, 0xC3, 0x28]);

        Assert.Equal(SaslStepOutcome.Failed, step.Outcome);
        Assert.Contains("UTF-8", step.FailureReason, StringComparison.Ordinal);
    }
}
