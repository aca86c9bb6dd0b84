using Samsa.Publishing;

namespace Samsa.AspNetCore.Console;

/// <summary>The console's producer page: the publisher's counters (the page turns them into rates), errors by code, and what is in flight.</summary>
internal sealed class ProducerReader(TimeProvider timeProvider, EventPublisher? publisher = null)
{
    public ConsoleProducer Read()
    {
        if (publisher is null)
        {
            return new ConsoleProducer(false, 0, 0, 0, [], [], 0, 0, 0, null, null, null, timeProvider.GetUtcNow());
        }

        var snapshot = publisher.Errors.GetSnapshot();
        return new ConsoleProducer(
            true,
            snapshot.Delivered,
            snapshot.Failures,
            snapshot.RecentFailures,
            [.. snapshot.FailuresByCode.Select(pair => new ConsoleErrorCount(pair.Key.ToString(), (int)pair.Key, pair.Value))],
            [.. snapshot.ClientErrorsByCode.Select(pair => new ConsoleErrorCount(pair.Key.ToString(), (int)pair.Key, pair.Value))],
            snapshot.Unacknowledged,
            snapshot.OldestUnacknowledgedAge.TotalSeconds,
            publisher.QueuedMessages,
            snapshot.SinceLastDelivery?.TotalSeconds,
            snapshot.LastFailure is { } last ? $"{last.Code} on {last.Topic ?? "(no topic)"} at {last.At:O}: {last.Reason}" : null,
            snapshot.FatalError is { } fatal ? $"{fatal.Code}: {fatal.Reason}" : null,
            timeProvider.GetUtcNow());
    }
}

/// <summary>The producer page's data.</summary>
internal sealed record ConsoleProducer(
    bool Registered,
    long Delivered,
    long Failures,
    long RecentFailures,
    IReadOnlyList<ConsoleErrorCount> FailuresByCode,
    IReadOnlyList<ConsoleErrorCount> ClientErrorsByCode,
    int InFlight,
    double OldestUnacknowledgedSeconds,
    int Queued,
    double? SinceLastDeliverySeconds,
    string? LastFailure,
    string? FatalError,
    DateTimeOffset At);

/// <summary>How many errors of one Kafka error code.</summary>
internal sealed record ConsoleErrorCount(string Code, int Number, long Count);
