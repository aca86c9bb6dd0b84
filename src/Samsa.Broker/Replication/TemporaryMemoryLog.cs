using Samsa.Broker.Cluster;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Replication;

/// <summary>Stand-in in-memory log until Storage lands.</summary>
internal sealed class TemporaryMemoryLog : IReplicaLog
{
    private readonly object _lock = new();
    private readonly List<(long Base, long Last, long MaxTs, byte[] Bytes)> _batches = [];
    private long _start;
    private long _end;

    public long LogStartOffset { get { lock (_lock) { return _start; } } }

    public long LogEndOffset { get { lock (_lock) { return _end; } } }

    public long SizeInBytes { get { lock (_lock) { return _batches.Sum(b => (long)b.Bytes.Length); } } }

    public (long Offset, long Timestamp) MaxTimestamp
    {
        get
        {
            lock (_lock)
            {
                var best = (-1L, -1L);
                foreach (var b in _batches)
                {
                    if (b.MaxTs > best.Item2)
                    {
                        best = (b.Last, b.MaxTs);
                    }
                }

                return best;
            }
        }
    }

    public (long FirstOffset, long LastOffset) Append(Span<byte> batches)
    {
        lock (_lock)
        {
            var first = _end;
            var position = 0;
            while (position < batches.Length)
            {
                var batch = batches[position..];
                RecordBatchHeader.TryRead(batch, out var header);
                RecordBatchHeader.WriteBaseOffset(batch, _end);
                var copy = batch[..header.TotalSize].ToArray();
                _batches.Add((_end, _end + header.LastOffsetDelta, header.MaxTimestamp, copy));
                _end += header.LastOffsetDelta + 1;
                position += header.TotalSize;
            }

            return (first, _end - 1);
        }
    }

    public LogReadResult Read(long offset, int maxBytes, long maxOffsetExclusive)
    {
        lock (_lock)
        {
            var output = new List<byte>();
            foreach (var b in _batches)
            {
                if (b.Last < offset || b.Base >= maxOffsetExclusive)
                {
                    continue;
                }

                if (output.Count > 0 && output.Count + b.Bytes.Length > maxBytes)
                {
                    break;
                }

                output.AddRange(b.Bytes);
            }

            return new LogReadResult(output.ToArray(), null);
        }
    }

    public void Truncate(long offset)
    {
        lock (_lock)
        {
            _batches.RemoveAll(b => b.Base >= offset);
            _end = _batches.Count == 0 ? Math.Min(_end, offset) : _batches[^1].Last + 1;
        }
    }

    public void DeleteRecordsBefore(long offset)
    {
        lock (_lock)
        {
            _start = Math.Max(_start, offset);
            _batches.RemoveAll(b => b.Last < _start);
        }
    }

    public long? FindOffsetForTimestamp(long timestamp)
    {
        lock (_lock)
        {
            foreach (var b in _batches)
            {
                if (b.MaxTs >= timestamp)
                {
                    return Math.Max(b.Base, _start);
                }
            }

            return null;
        }
    }

    public void Flush()
    {
    }

    public void Configure(TopicConfig config)
    {
    }

    public bool EnforceRetention() => false;

    public void Dispose()
    {
    }
}

internal static class ReplicaLogFactories
{
    public static IReplicaLogFactory Create(BrokerOptions options, Microsoft.Extensions.Logging.ILoggerFactory loggerFactory) => new TemporaryMemoryFactory();

    private sealed class TemporaryMemoryFactory : IReplicaLogFactory
    {
        private readonly Dictionary<(int, string, int), TemporaryMemoryLog> _logs = [];

        public bool IsDurable => false;

        public IReplicaLog Open(int nodeId, string topic, int partition, TopicConfig config)
        {
            lock (_logs)
            {
                if (!_logs.TryGetValue((nodeId, topic, partition), out var log))
                {
                    _logs[(nodeId, topic, partition)] = log = new TemporaryMemoryLog();
                }

                return log;
            }
        }

        public void Delete(int nodeId, string topic, int partition)
        {
            lock (_logs)
            {
                _logs.Remove((nodeId, topic, partition));
            }
        }

        public void Dispose()
        {
        }
    }
}
