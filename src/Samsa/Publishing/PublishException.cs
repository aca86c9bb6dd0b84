using Confluent.Kafka;
using Samsa.Publishing;

namespace Samsa;

/// <summary>
/// A publish that Kafka did not acknowledge: it was rejected before it left the process (queue full, too large,
/// unknown topic), the broker refused it, or it timed out. <see cref="ErrorCode"/> is Kafka's (or librdkafka's local)
/// code; <see cref="IsTransient"/> says whether publishing the same event again may succeed.
/// </summary>
public sealed class PublishException : SamsaException
{
    /// <summary>Creates the exception for a failed publish.</summary>
    public PublishException(string message, ErrorCode errorCode, string? topic, PublishStatus status = PublishStatus.NotPersisted, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorCode = errorCode;
        Topic = topic;
        Status = status;
    }

    /// <summary>Creates the exception with a message only (<see cref="ErrorCode.Unknown"/>).</summary>
    public PublishException(string message)
        : this(message, ErrorCode.Unknown, null)
    {
    }

    /// <summary>Creates the exception with a message and a cause (<see cref="ErrorCode.Unknown"/>).</summary>
    public PublishException(string message, Exception? innerException)
        : this(message, ErrorCode.Unknown, null, PublishStatus.NotPersisted, innerException)
    {
    }

    /// <summary>Creates an empty exception.</summary>
    public PublishException()
        : this("The event was not published.")
    {
    }

    /// <summary>Kafka's error code, or librdkafka's local code (negative, <c>Local_*</c>).</summary>
    public ErrorCode ErrorCode { get; }

    /// <summary>The topic of the failed publish, when known.</summary>
    public string? Topic { get; }

    /// <summary>
    /// Whether Kafka may have the message anyway (<see cref="PublishStatus.PossiblyPersisted"/> after a timeout):
    /// publishing again may then write it twice, unless consumers de-duplicate by <see cref="SamsaHeaders.EventId"/>.
    /// </summary>
    public PublishStatus Status { get; }

    /// <summary>The event id of the failed publish, when one was assigned.</summary>
    public Guid? EventId { get; init; }

    /// <inheritdoc />
    public override bool IsTransient => KafkaErrorClassification.IsTransient(ErrorCode);
}
