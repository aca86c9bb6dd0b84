using Confluent.Kafka;

namespace Samsa.Startup;

/// <summary>
/// Keeps what librdkafka's error callback reports during the start-up checks: the last error, and the first one
/// that waiting cannot fix (a refused SASL login, a TLS failure, a fatal error), so the gate stops at once instead
/// of waiting for its request to time out. The callback only stores and completes a task; it never blocks.
/// </summary>
internal sealed class KafkaClientErrorRecorder
{
    private readonly TaskCompletionSource<Error> _fatal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Error? _last;

    /// <summary>The last error reported, or null.</summary>
    public Error? Last => Volatile.Read(ref _last);

    /// <summary>Completes with the first error that waiting cannot fix.</summary>
    public Task<Error> Fatal => _fatal.Task;

    /// <summary>The error callback.</summary>
    public void Record(Error error)
    {
        Volatile.Write(ref _last, error);
        if (StopsStartup(error))
        {
            _fatal.TrySetResult(error);
        }
    }

    /// <summary>Errors that do not go away by waiting.</summary>
    internal static bool StopsStartup(Error error) =>
        error.IsFatal
        || error.Code is ErrorCode.Local_Authentication or ErrorCode.SaslAuthenticationFailed or ErrorCode.Local_Ssl
            or ErrorCode.ClusterAuthorizationFailed or ErrorCode.TopicAuthorizationFailed;
}
