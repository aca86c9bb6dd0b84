using System.Collections.Concurrent;
using System.Text.Json;

namespace Samsa.EventService.SamplePipeline;

/// <summary>The events the sample handler handled, newest last, the last <see cref="Capacity"/> of them (a demo, kept in memory).</summary>
internal sealed class HandledEvents
{
    public const int Capacity = 1_000;

    private readonly ConcurrentQueue<HandledEvent> _events = new();
    private long _total;

    /// <summary>Events handled since the service started.</summary>
    public long Total => Interlocked.Read(ref _total);

    public void Add(HandledEvent handled)
    {
        _events.Enqueue(handled);
        Interlocked.Increment(ref _total);
        while (_events.Count > Capacity && _events.TryDequeue(out _))
        {
        }
    }

    /// <summary>The events kept, of <paramref name="topic"/>, oldest first.</summary>
    public IReadOnlyList<HandledEvent> Of(string topic) => [.. _events.Where(e => e.Topic == topic)];
}

/// <summary>One handled event: where it was read, which attempt succeeded, and whether it was a replay.</summary>
/// <param name="Topic">The topic it was read from (the source topic, or a retry topic).</param>
/// <param name="Partition">Its partition.</param>
/// <param name="Offset">Its offset.</param>
/// <param name="Key">Its key.</param>
/// <param name="EventId">Its <c>samsa-event-id</c> header.</param>
/// <param name="Attempt">The attempt that succeeded (1 for the first).</param>
/// <param name="RetryLevel">0 on the source topic, n on its n-th retry topic.</param>
/// <param name="ReplayedFrom">For a replayed record, the dead letter it came from (<c>topic/partition/offset</c>).</param>
/// <param name="HandledAt">When it was handled.</param>
/// <param name="Event">The event.</param>
internal sealed record HandledEvent(
    string Topic, int Partition, long Offset, string? Key, string? EventId, int Attempt, int RetryLevel, string? ReplayedFrom, DateTimeOffset HandledAt, JsonElement Event);
