using System.Collections;
using System.Collections.Concurrent;
using Samsa.Protocol;

namespace Samsa.Testing.Requests;

/// <summary>
/// The requests the cluster served, oldest first, so a test can assert what the code under test did:
/// <code>
/// Assert.Contains(kafka.Requests.Commits("billing"), c => c.Partition == 3 &amp;&amp; c.Offset == 42);
/// Assert.DoesNotContain(kafka.Requests, r => r.Api == ApiKey.Produce &amp;&amp; r.Partitions.Any(p => p.Topic == "orders.dlq"));
/// </code>
/// It keeps the last <see cref="KafkaTestClusterOptions.RequestLogCapacity"/> requests. Requests of the
/// cluster's own helper clients (client id <see cref="KafkaTestCluster.HelperClientId"/>) are not kept.
/// </summary>
public sealed class RequestLog : IEnumerable<LoggedRequest>
{
    private readonly ConcurrentQueue<LoggedRequest> _entries = new();
    private readonly int _capacity;
    private readonly object _waitersGate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal RequestLog(int capacity) => _capacity = capacity;

    /// <summary>Requests kept now.</summary>
    public int Count => _entries.Count;

    /// <summary>The offsets committed for <paramref name="groupId"/> (OffsetCommit and TxnOffsetCommit), in order, that the broker accepted.</summary>
    public IReadOnlyList<LoggedPartition> Commits(string groupId) =>
        this.Where(r => r.Api is ApiKey.OffsetCommit or ApiKey.TxnOffsetCommit && r.GroupId == groupId)
            .SelectMany(r => r.Partitions).Where(p => p.Error == ErrorCode.None).ToList();

    /// <summary>The partitions produced to <paramref name="topic"/> (null: any topic), with base offsets and record counts, that the broker accepted.</summary>
    public IReadOnlyList<LoggedPartition> Produced(string? topic = null) =>
        this.Where(r => r.Api == ApiKey.Produce)
            .SelectMany(r => r.Partitions).Where(p => p.Error == ErrorCode.None && (topic is null || p.Topic == topic)).ToList();

    /// <summary>Forgets every request logged so far.</summary>
    public void Clear() => _entries.Clear();

    /// <summary>
    /// Waits until a logged request matches <paramref name="predicate"/> and returns it; throws
    /// <see cref="TimeoutException"/> (listing what was logged) after <paramref name="timeout"/>.
    /// </summary>
    public async Task<LoggedRequest> WaitForAsync(Func<LoggedRequest, bool> predicate, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            Task changed;
            lock (_waitersGate)
            {
                changed = _changed.Task;
            }

            if (this.FirstOrDefault(predicate) is { } found)
            {
                return found;
            }

            try
            {
                await changed.WaitAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No logged request matched within {timeout}. Logged ({Count}):{Environment.NewLine}{string.Join(Environment.NewLine, this.TakeLast(50))}");
            }
        }
    }

    /// <inheritdoc />
    public IEnumerator<LoggedRequest> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal void Add(LoggedRequest request)
    {
        _entries.Enqueue(request);
        while (_entries.Count > _capacity && _entries.TryDequeue(out _))
        {
        }

        TaskCompletionSource changed;
        lock (_waitersGate)
        {
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }
}
