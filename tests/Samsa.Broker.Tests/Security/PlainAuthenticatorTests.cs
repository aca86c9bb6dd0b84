using System.Text;
using Samsa.Broker.Security;

namespace Samsa.Broker.Tests.Security;

public class PlainAuthenticatorTests
{
    private static SaslStep Evaluate(string message)
    {
        var users = new BrokerUserCollection { { "alice", "alice-secret" } };
        return new PlainAuthenticator(users).Evaluate(Encoding.UTF8.GetBytes(message));
    }

    [Theory]
    [InlineData("\0alice\0alice-secret")]
    [InlineData("alice\0alice\0alice-secret")]
    public void Evaluate_RightPassword_SucceedsWithEmptyAnswer(string message)
    {
        var step = Evaluate(message);

        Assert.Equal(SaslStepOutcome.Succeeded, step.Outcome);
        Assert.Equal("alice", step.User);
        Assert.Empty(step.Challenge);
    }

    [Theory]
    [InlineData("\0alice\0wrong", "unknown user or wrong password")]
    [InlineData("\0mallory\0alice-secret", "unknown user or wrong password")]
    [InlineData("bob\0alice\0alice-secret", "authorization id")]
    [InlineData("\0\0alice-secret", "empty user name")]
    [InlineData("\0alice\0", "empty user name or password")]
    [InlineData("alice-secret", "not 'authzid NUL user NUL password'")]
    [InlineData("\0alice\0alice-secret\0more", "not 'authzid NUL user NUL password'")]
    public void Evaluate_BadLogin_Fails(string message, string reason)
    {
        var step = Evaluate(message);

        Assert.Equal(SaslStepOutcome.Failed, step.Outcome);
        Assert.Contains(reason, step.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_SecondMessage_Fails()
    {
        var authenticator = new PlainAuthenticator(new BrokerUserCollection { { "alice", "alice-secret" } });
        authenticator.Evaluate("\0alice\0alice-secret"u8);

        Assert.Equal(SaslStepOutcome.Failed, authenticator.Evaluate("\0alice\0alice-secret"u8).Outcome);
    }
}
