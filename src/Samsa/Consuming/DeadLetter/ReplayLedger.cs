using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace Samsa.Consuming.DeadLetter;

/// <summary>
/// The record of what was replayed from a dead-letter topic, kept in Kafka so every replayer (library, CLI, service)
/// sees it: a compacted topic <c>&lt;dead-letter topic&gt;.replayed</c> with one record per replayed dead letter, keyed
/// <c>&lt;partition&gt;:&lt;offset&gt;</c> of the dead letter, valued with where it went and when. A replay reads the
/// ledger first and skips what it holds, so a second replay of the same records writes nothing.
/// </summary>
/// <remarks>
/// The marker is written after the replayed record is acknowledged: a crash between the two can replay that one record
/// again (at least once, never lost). Two replays of the same topic at the same time are not kept apart.
/// </remarks>
internal sealed class ReplayLedger
{
    private readonly HashSet<(int Partition, long Offset)> _replayed = [];

    public ReplayLedger(string topic)
    {
        Topic = topic;
    }

    /// <summary>The ledger topic.</summary>
    public string Topic { get; }

    /// <summary>Dead letters known to be replayed.</summary>
    public int Count => _replayed.Count;

    /// <summary>True when the dead letter at <paramref name="partition"/>/<paramref name="offset"/> was replayed before.</summary>
    public bool Contains(int partition, long offset) => _replayed.Contains((partition, offset));

    /// <summary>Adds a marker read from the ledger topic.</summary>
    public void Load(ConsumeResult<byte[]?, byte[]?> record)
    {
        if (record.Message.Key is { } key && TryParseKey(Encoding.UTF8.GetString(key), out var partition, out var offset))
        {
            if (record.Message.Value is null)
            {
                _replayed.Remove((partition, offset));
            }
            else
            {
                _replayed.Add((partition, offset));
            }
        }
    }

    /// <summary>The marker of a replayed dead letter.</summary>
    public static Message<byte[]?, byte[]?> Marker(int partition, long offset, string target, int targetPartition, long targetOffset, DateTimeOffset at) => new()
    {
        Key = Encoding.UTF8.GetBytes(Key(partition, offset)),
        Value = Encoding.UTF8.GetBytes(string.Create(
            CultureInfo.InvariantCulture, $"{{\"to\":\"{target}/{targetPartition}/{targetOffset}\",\"at\":\"{at.UtcDateTime:O}\"}}")),
    };

    /// <summary>Records locally that a dead letter was replayed (after its marker was written).</summary>
    public void Add(int partition, long offset) => _replayed.Add((partition, offset));

    public static string Key(int partition, long offset) => string.Create(CultureInfo.InvariantCulture, $"{partition}:{offset}");

    public static bool TryParseKey(string key, out int partition, out long offset)
    {
        partition = 0;
        offset = 0;
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        return colon > 0
            && int.TryParse(key.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out partition)
            && long.TryParse(key.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out offset);
    }
}
