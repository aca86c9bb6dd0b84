using System.Security.Cryptography;
using System.Text;

namespace Samsa.Broker.Security;

/// <summary>
/// The server side of SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677), as Kafka runs it:
/// <list type="number">
/// <item>client-first <c>n,[a=authzid],n=user,r=cnonce[,ext]</c> → server-first <c>r=cnonce+snonce,s=salt,i=iterations</c>;</item>
/// <item>client-final <c>c=biws,r=nonce[,ext],p=proof</c> → server-final <c>v=ServerSignature</c> when the proof verifies.</item>
/// </list>
/// The proof is checked by recovering ClientKey = proof XOR HMAC(StoredKey, AuthMessage) and comparing
/// H(ClientKey) with the stored key in constant time. Channel binding (<c>p=</c>, the -PLUS variants),
/// mandatory extensions (<c>m=</c>) and Kafka's delegation-token extension (<c>tokenauth=true</c>) are refused.
/// As in Kafka, the client-final nonce must end with (not equal) the combined nonce the server sent.
/// An unknown user gets a decoy salt and fails at the proof, so the exchange does not reveal which names exist
/// (Kafka fails such a user at the first message). Errors are never sent as <c>e=</c>: as in Kafka, the
/// caller answers SASL_AUTHENTICATION_FAILED and closes the connection.
/// </summary>
internal sealed class ScramAuthenticator : ISaslAuthenticator
{
    private const int ServerNonceBytes = 24;
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ScramMechanism _mechanism;
    private readonly BrokerUserCollection _users;
    private readonly Func<string> _createServerNonce;
    private Step _step = Step.ClientFirst;
    private string? _user;
    private bool _knownUser;
    private ScramCredential? _credential;
    private string _gs2Header = string.Empty;
    private string _clientFirstBare = string.Empty;
    private string _serverFirst = string.Empty;
    private string _nonce = string.Empty;

    /// <param name="mechanism">SCRAM-SHA-256 or SCRAM-SHA-512.</param>
    /// <param name="users">The users and their stored credentials.</param>
    /// <param name="createServerNonce">The server's part of the nonce; random by default, fixed in tests (RFC 7677's example).</param>
    public ScramAuthenticator(ScramMechanism mechanism, BrokerUserCollection users, Func<string>? createServerNonce = null)
    {
        _mechanism = mechanism;
        _users = users;
        _createServerNonce = createServerNonce ?? CreateServerNonce;
    }

    private enum Step
    {
        ClientFirst,
        ClientFinal,
        Done,
    }

    public string Mechanism => _mechanism.Name;

    public SaslStep Evaluate(ReadOnlySpan<byte> response)
    {
        var step = _step;

        // Any failure ends the exchange; only a good client-first moves it on.
        _step = Step.Done;
        string message;
        try
        {
            message = s_strictUtf8.GetString(response);
        }
        catch (DecoderFallbackException)
        {
            return SaslStep.Failure("the SCRAM message is not valid UTF-8", _user);
        }

        return step switch
        {
            Step.ClientFirst => OnClientFirst(message),
            Step.ClientFinal => OnClientFinal(message),
            _ => SaslStep.Failure("the SCRAM exchange is already over", _user),
        };
    }

    private SaslStep OnClientFirst(string message)
    {
        // gs2-header = gs2-cbind-flag "," [ authzid ] ","
        if (message.StartsWith("p=", StringComparison.Ordinal))
        {
            return SaslStep.Failure("the client asked for channel binding, which is only offered by the -PLUS mechanisms");
        }

        var authorizationEnd = message.Length > 2 && message[1] == ',' && message[0] is 'n' or 'y' ? message.IndexOf(',', 2) : -1;
        if (authorizationEnd < 0)
        {
            return SaslStep.Failure("the client-first message does not start with a GS2 header ('n,,')");
        }

        string? authorizationId = null;
        var authorization = message[2..authorizationEnd];
        if (authorization.Length > 0 && (!authorization.StartsWith("a=", StringComparison.Ordinal) || !TryDecodeSaslName(authorization[2..], out authorizationId)))
        {
            return SaslStep.Failure("the client-first message has a malformed authorization id");
        }

        _gs2Header = message[..(authorizationEnd + 1)];
        _clientFirstBare = message[(authorizationEnd + 1)..];

        // client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions]
        var attributes = _clientFirstBare.Split(',');
        if (attributes[0].StartsWith("m=", StringComparison.Ordinal))
        {
            return SaslStep.Failure("the client sent a mandatory extension (m=), which is not supported");
        }

        if (attributes.Length < 2 || !attributes[0].StartsWith("n=", StringComparison.Ordinal) || !attributes[1].StartsWith("r=", StringComparison.Ordinal))
        {
            return SaslStep.Failure("the client-first message needs n=user and r=nonce");
        }

        if (!TryDecodeSaslName(attributes[0][2..], out var user) || user.Length == 0)
        {
            return SaslStep.Failure("the client-first message has a malformed user name");
        }

        _user = user;
        var clientNonce = attributes[1][2..];
        if (clientNonce.Length == 0 || !IsPrintable(clientNonce))
        {
            return SaslStep.Failure("the client nonce is empty or not printable", user);
        }

        if (attributes.Skip(2).Any(e => e.Equals("tokenauth=true", StringComparison.OrdinalIgnoreCase)))
        {
            return SaslStep.Failure("the client asked for delegation-token authentication, which is not supported", user);
        }

        if (authorizationId is not null && authorizationId != user)
        {
            return SaslStep.Failure($"the authorization id '{authorizationId}' differs from the user name", user);
        }

        _credential = _users.FindOrDecoy(user, _mechanism, out _knownUser);
        _nonce = clientNonce + _createServerNonce();
        _serverFirst = $"r={_nonce},s={Convert.ToBase64String(_credential.Salt)},i={_credential.Iterations}";
        _step = Step.ClientFinal;
        return SaslStep.Next(Encoding.UTF8.GetBytes(_serverFirst));
    }

    private SaslStep OnClientFinal(string message)
    {
        // client-final-message = client-final-message-without-proof "," proof, and the proof comes last.
        var proofAt = message.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofAt < 0)
        {
            return SaslStep.Failure("the client-final message has no proof", _user);
        }

        var withoutProof = message[..proofAt];
        var attributes = withoutProof.Split(',');
        if (attributes[0] != "c=" + Convert.ToBase64String(Encoding.UTF8.GetBytes(_gs2Header)))
        {
            return SaslStep.Failure("the channel-binding attribute does not repeat the GS2 header", _user);
        }

        // Kafka only checks that the nonce ends with the one it sent, and clients rely on it: librdkafka
        // before 2.6 (kcat on Debian's 2.0.2) repeats its own nonce in front. The proof covers the
        // message as sent, so this does not weaken the check; the fresh server nonce is still required.
        if (attributes.Length < 2 || !attributes[1].StartsWith("r=", StringComparison.Ordinal) || !attributes[1].EndsWith(_nonce, StringComparison.Ordinal))
        {
            return SaslStep.Failure("the client-final nonce differs from the one the server sent", _user);
        }

        Span<byte> proof = stackalloc byte[64];
        if (!Convert.TryFromBase64String(message[(proofAt + 3)..], proof, out var proofLength) || proofLength != _mechanism.HashSize)
        {
            return SaslStep.Failure("the client proof is not a base64 digest of the right size", _user);
        }

        var credential = _credential!;
        var authMessage = Encoding.UTF8.GetBytes(_clientFirstBare + "," + _serverFirst + "," + withoutProof);
        var clientKey = _mechanism.Hmac(credential.StoredKey, authMessage);
        for (var i = 0; i < clientKey.Length; i++)
        {
            clientKey[i] ^= proof[i];
        }

        var verified = CryptographicOperations.FixedTimeEquals(_mechanism.Digest(clientKey), credential.StoredKey) & _knownUser;
        CryptographicOperations.ZeroMemory(clientKey);
        if (!verified)
        {
            return SaslStep.Failure(_knownUser ? "the client proof does not verify (wrong password)" : "unknown user", _user);
        }

        var serverSignature = _mechanism.Hmac(credential.ServerKey, authMessage);
        return SaslStep.Success(Encoding.UTF8.GetBytes("v=" + Convert.ToBase64String(serverSignature)), _user!);
    }

    /// <summary>saslname: '=2C' stands for ',' and '=3D' for '='; any other '=' is malformed (RFC 5802 §5.1).</summary>
    private static bool TryDecodeSaslName(string encoded, out string name)
    {
        var builder = new StringBuilder(encoded.Length);
        for (var i = 0; i < encoded.Length; i++)
        {
            if (encoded[i] != '=')
            {
                builder.Append(encoded[i]);
            }
            else if (string.CompareOrdinal(encoded, i, "=2C", 0, 3) == 0)
            {
                builder.Append(',');
                i += 2;
            }
            else if (string.CompareOrdinal(encoded, i, "=3D", 0, 3) == 0)
            {
                builder.Append('=');
                i += 2;
            }
            else
            {
                name = string.Empty;
                return false;
            }
        }

        name = builder.ToString();
        return true;
    }

    private static bool IsPrintable(string value) => value.All(c => c is >= '!' and <= '~' and not ',');

    private static string CreateServerNonce() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(ServerNonceBytes));
}
