using Samsa.Startup;

namespace Samsa;

/// <summary>
/// A Kafka start-up check failed, so the host does not start. The message says which broker, which check, and
/// what to change: "Kafka start-up check failed: TCP connect to broker:9092 was refused. Check …".
/// </summary>
public sealed class KafkaStartupException : SamsaException
{
    /// <summary>The start of every message.</summary>
    internal const string Prefix = "Kafka start-up check failed: ";

    private readonly bool _isTransient;

    /// <summary>Creates the exception for a failed check.</summary>
    /// <param name="check">The check that failed.</param>
    /// <param name="broker">The broker (<c>host:port</c>) it failed on, when it concerns one.</param>
    /// <param name="message">The whole message, starting with "Kafka start-up check failed: ".</param>
    /// <param name="isTransient">Whether the same start-up may succeed later without a change (a broker that is still starting).</param>
    /// <param name="innerException">The cause.</param>
    public KafkaStartupException(KafkaStartupCheck check, string? broker, string message, bool isTransient = false, Exception? innerException = null)
        : base(message, innerException)
    {
        Check = check;
        Broker = broker;
        _isTransient = isTransient;
    }

    /// <summary>Creates the exception with a message only.</summary>
    public KafkaStartupException(string message)
        : this(KafkaStartupCheck.ClusterMetadata, null, message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public KafkaStartupException(string message, Exception? innerException)
        : this(KafkaStartupCheck.ClusterMetadata, null, message, false, innerException)
    {
    }

    /// <summary>Creates an empty exception.</summary>
    public KafkaStartupException()
        : this("Kafka start-up check failed.")
    {
    }

    /// <summary>The check that failed.</summary>
    public KafkaStartupCheck Check { get; }

    /// <summary>What went wrong, without the prefix and the advice.</summary>
    internal string? Problem { get; private init; }

    /// <summary>What to change, when it is a separate sentence (combined messages list it once).</summary>
    internal string? Advice { get; private init; }

    /// <summary>The broker (<c>host:port</c>) the check failed on, or null when it concerns the cluster.</summary>
    public string? Broker { get; }

    /// <inheritdoc />
    public override bool IsTransient => _isTransient;

    /// <summary>"Kafka start-up check failed: {problem}. {advice}".</summary>
    internal static KafkaStartupException Create(
        KafkaStartupCheck check, string? broker, string problem, string? advice, bool isTransient = false, Exception? innerException = null) =>
        new(check, broker, $"{Prefix}{problem}.{(advice is null ? string.Empty : " " + advice)}", isTransient, innerException)
        {
            Problem = problem,
            Advice = advice,
        };
}
