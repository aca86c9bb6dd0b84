using System.Text;

namespace Samsa.Broker.Security;

/// <summary>
/// SASL PLAIN (RFC 4616): one client message <c>[authzid] NUL authcid NUL passwd</c> in UTF-8, answered
/// with an empty token on success. As in Kafka, an authorization id must be empty or equal the user name.
/// The password is checked against the user's stored SCRAM-SHA-256 credential in constant time.
/// </summary>
internal sealed class PlainAuthenticator(BrokerUserCollection users) : ISaslAuthenticator
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private bool _done;

    public string Mechanism => SaslMechanismNames.Plain;

    public SaslStep Evaluate(ReadOnlySpan<byte> response)
    {
        if (_done)
        {
            return SaslStep.Failure("PLAIN takes exactly one client message");
        }

        _done = true;
        var firstNul = response.IndexOf((byte)0);
        var afterFirst = firstNul < 0 ? [] : response[(firstNul + 1)..];
        var secondNul = afterFirst.IndexOf((byte)0);
        if (firstNul < 0 || secondNul < 0 || afterFirst[(secondNul + 1)..].Contains((byte)0))
        {
            return SaslStep.Failure("the PLAIN message is not 'authzid NUL user NUL password'");
        }

        string authorizationId, user, password;
        try
        {
            authorizationId = s_strictUtf8.GetString(response[..firstNul]);
            user = s_strictUtf8.GetString(afterFirst[..secondNul]);
            password = s_strictUtf8.GetString(afterFirst[(secondNul + 1)..]);
        }
        catch (DecoderFallbackException)
        {
            return SaslStep.Failure("the PLAIN message is not valid UTF-8");
        }

        if (user.Length == 0 || password.Length == 0)
        {
            return SaslStep.Failure("the PLAIN message has an empty user name or password", user);
        }

        if (authorizationId.Length > 0 && authorizationId != user)
        {
            return SaslStep.Failure($"the authorization id '{authorizationId}' differs from the user name", user);
        }

        return users.VerifyPassword(user, password)
            ? SaslStep.Success([], user)
            : SaslStep.Failure("unknown user or wrong password", user);
    }
}
