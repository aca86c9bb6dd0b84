using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Samsa.Consuming;
using Samsa.Consuming.DeadLetter;
using Samsa.Consuming.Retry;
using Samsa.Publishing;

namespace Samsa.EventService.SamplePipeline;

/// <summary>
/// The sample consumer's handler: records each event in <see cref="HandledEvents"/>, unless the event asks to fail
/// (<see cref="RequestedFailure"/>), so that retries, dead letters and replays can be watched over HTTP.
/// </summary>
/// <remarks>A singleton: what was handled and which events already failed once live for the life of the service.</remarks>
internal sealed class SampleEventHandler : IEventHandler<JsonElement>
{
    private readonly HandledEvents _handled;
    private readonly FailureSwitch _failures;
    private readonly TimeProvider _timeProvider;

    // Events (by id) that already failed their one permanent failure; their next delivery is handled.
    private readonly ConcurrentDictionary<string, bool> _failedOnce = new(StringComparer.Ordinal);

    public SampleEventHandler(HandledEvents handled, FailureSwitch failures, TimeProvider timeProvider)
    {
        _handled = handled;
        _failures = failures;
        _timeProvider = timeProvider;
    }

    public ValueTask HandleAsync(JsonElement @event, ConsumeContext context, CancellationToken cancellationToken)
    {
        var eventId = Header(context, SamsaHeaders.EventId);
        var where = string.Create(CultureInfo.InvariantCulture, $"{context.Topic}[{context.Partition}]@{context.Offset}");
        switch (RequestedFailures.Of(@event))
        {
            case RequestedFailure.Transient:
                throw new TransientFailureException($"The event at {where} asked to fail transiently (attempt {context.Attempt}).");
            case RequestedFailure.TransientOnce when context.Attempt == 1:
                throw new TransientFailureException($"The event at {where} asked to fail transiently once.");
            case RequestedFailure.Permanent when _failures.PermanentFailuresHonoured:
                throw new PermanentFailureException($"The event at {where} asked to fail permanently.");
            case RequestedFailure.PermanentOnce when _failedOnce.TryAdd(eventId ?? where, true):
                throw new PermanentFailureException($"The event at {where} asked to fail permanently on its first delivery.");
        }

        _handled.Add(new HandledEvent(
            context.SourceTopic,
            context.Partition,
            context.Offset,
            context.Key,
            eventId,
            context.Attempt,
            context.RetryLevel,
            Header(context, DeadLetterHeaders.ReplayedFrom),
            _timeProvider.GetUtcNow(),
            @event.Clone()));
        return ValueTask.CompletedTask;
    }

    private static string? Header(ConsumeContext context, string key) =>
        context.Headers.TryGetLastBytes(key, out var bytes) && bytes is not null ? Encoding.UTF8.GetString(bytes) : null;
}
