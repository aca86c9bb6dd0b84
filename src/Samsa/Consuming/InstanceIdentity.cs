using System.Text;

namespace Samsa.Consuming;

/// <summary>
/// The stable name of this instance of the service, from which a consumer's <c>transactional.id</c> and
/// <c>group.instance.id</c> derive (<see cref="ConsumerOptions.InstanceId"/>): set explicitly, or the host's name, so that
/// a restarted pod comes back under the name it had.
/// </summary>
internal static class InstanceIdentity
{
    /// <summary>The variables that name the instance, first found wins: Kubernetes sets <c>HOSTNAME</c> to the pod name.</summary>
    public static readonly string[] Variables = ["HOSTNAME", "POD_NAME", "COMPUTERNAME"];

    /// <summary>The instance id of <paramref name="options"/>: its own, or the host's.</summary>
    public static string Of(ConsumerOptions options) => options.InstanceId ?? FromHost(Environment.GetEnvironmentVariable);

    /// <summary>The first of <see cref="Variables"/> that is set, else the machine name.</summary>
    public static string FromHost(Func<string, string?> variable)
    {
        foreach (var name in Variables)
        {
            if (variable(name) is { Length: > 0 } value && !string.IsNullOrWhiteSpace(value))
            {
                return value.Trim();
            }
        }

        return Environment.MachineName;
    }

    /// <summary><c>transactional.id</c> of the registration: <c>samsa-&lt;group&gt;-&lt;topic&gt;-&lt;instance&gt;</c>.</summary>
    public static string TransactionalId(ConsumerOptions options) => $"samsa-{options.GroupId}-{options.Topic}-{Of(options)}";

    /// <summary>
    /// <c>group.instance.id</c> of the registration: <c>&lt;instance&gt;-&lt;topic&gt;</c> (one member per topic in the group),
    /// with characters Kafka does not allow there (anything but letters, digits, '.', '_', '-') turned into '_'.
    /// </summary>
    public static string GroupInstanceId(ConsumerOptions options)
    {
        var raw = $"{Of(options)}-{options.Topic}";
        var builder = new StringBuilder(raw.Length);
        foreach (var c in raw)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_');
        }

        return builder.Length <= MaxGroupInstanceIdLength ? builder.ToString() : builder.ToString(0, MaxGroupInstanceIdLength);
    }

    /// <summary>Kafka's longest <c>group.instance.id</c>.</summary>
    private const int MaxGroupInstanceIdLength = 249;
}
