using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Samsa.Broker.Security;

/// <summary>Principal names as Kafka writes them: <c>User:alice</c>, <c>User:CN=client,O=Acme</c>, <c>User:ANONYMOUS</c>.</summary>
internal static class KafkaPrincipal
{
    public const string Anonymous = "User:ANONYMOUS";

    public static string User(string name) => "User:" + name;

    /// <summary>A TLS client's principal: its subject in RFC 2253 form, most specific part first (Kafka's DEFAULT mapping rule).</summary>
    public static string FromCertificate(X509Certificate certificate)
    {
        using var owned = certificate as X509Certificate2 is null ? new X509Certificate2(certificate) : null;
        var subject = (owned ?? (X509Certificate2)certificate).SubjectName;
        var parts = new List<string>();
        try
        {
            foreach (var rdn in subject.EnumerateRelativeDistinguishedNames())
            {
                if (rdn.HasMultipleElements)
                {
                    // Rare (e.g. CN+UID); .NET's own rendering is close enough.
                    return User(subject.Name);
                }

                var oid = rdn.GetSingleElementType();
                parts.Add(ShortName(oid.Value) + "=" + Escape(rdn.GetSingleElementValue() ?? string.Empty));
            }
        }
        catch (CryptographicException)
        {
            // A subject this parser cannot take apart still names the client.
            return User(subject.Name);
        }

        return User(string.Join(',', parts));
    }

    private static string ShortName(string? oid) => oid switch
    {
        "2.5.4.3" => "CN",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "ST",
        "2.5.4.9" => "STREET",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "0.9.2342.19200300.100.1.1" => "UID",
        "0.9.2342.19200300.100.1.25" => "DC",
        _ => oid ?? "?",
    };

    /// <summary>RFC 2253 §2.4: backslash before , + " \ &lt; &gt; ; and before a leading '#' or space or a trailing space.</summary>
    private static string Escape(string value)
    {
        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c is ',' or '+' or '"' or '\\' or '<' or '>' or ';' || (i == 0 && c is '#' or ' ') || (i == value.Length - 1 && c == ' '))
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }
}
