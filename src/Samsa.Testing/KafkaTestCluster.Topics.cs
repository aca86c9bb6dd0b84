using Confluent.Kafka;
using Samsa.Broker.Groups;
using Samsa.Protocol;
using ErrorCode = Samsa.Protocol.ErrorCode;

namespace Samsa.Testing;

/// <summary>Topics, committed offsets and reset between tests. These act on the cluster directly, not through a client, so they are fast and do not show in the request log.</summary>
public sealed partial class KafkaTestCluster
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Creates a topic and returns its name. <paramref name="partitions"/> and <paramref name="replicationFactor"/>
    /// of -1 take the cluster's defaults (the replication factor is capped at the node count).
    /// Throws <see cref="InvalidOperationException"/> with the Kafka error when the topic cannot be created.
    /// </summary>
    public Task<string> CreateTopicAsync(string name, int partitions = -1, short replicationFactor = -1, IReadOnlyDictionary<string, string>? configs = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var settings = (configs ?? new Dictionary<string, string>()).ToDictionary(kv => kv.Key, kv => (string?)kv.Value, StringComparer.Ordinal);
        var outcome = Broker.Cluster.CreateTopic(name, partitions, replicationFactor, null, settings, validateOnly: false);
        if (outcome.Error != ErrorCode.None)
        {
            throw new InvalidOperationException($"Topic '{name}' could not be created: {outcome.Error}: {outcome.Message}");
        }

        return Task.FromResult(name);
    }

    /// <summary>The partition count of <paramref name="topic"/>, or null when it does not exist.</summary>
    public int? PartitionCount(string topic) => Broker.Cluster.TryGetTopic(topic, out var state) ? state.Partitions.Count : null;

    /// <summary>The node that leads a partition now; -1 while it has no leader; null when the partition does not exist.</summary>
    public int? LeaderOf(string topic, int partition) =>
        Broker.Cluster.TryGetTopic(topic, out var state) && state.TryGetPartition(partition, out var p) ? p.Leadership.LeaderId : null;

    /// <summary>
    /// Reads every partition of <paramref name="topic"/> from the start to its current end (committed
    /// records only, as <c>read_committed</c> does) with keys and values as UTF-8 strings, in partition
    /// then offset order. Throws <see cref="TimeoutException"/> when the end is not reached within
    /// <paramref name="timeout"/> (default 30 s).
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The string and deserializer overloads share their optional timeout and token; none has shipped, so adding them together breaks no compiled caller.")]
    public Task<IReadOnlyList<ConsumeResult<string?, string?>>> ConsumeToEndAsync(string topic, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        ConsumeToEndAsync(topic, Deserializers.Utf8!, Deserializers.Utf8!, timeout, cancellationToken);

    /// <summary>Reads <paramref name="topic"/> to its current end as <see cref="ConsumeToEndAsync(string, TimeSpan?, CancellationToken)"/> does, with the given deserializers.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The string and deserializer overloads share their optional timeout and token; none has shipped, so adding them together breaks no compiled caller.")]
    public Task<IReadOnlyList<ConsumeResult<TKey, TValue>>> ConsumeToEndAsync<TKey, TValue>(
        string topic, IDeserializer<TKey> keyDeserializer, IDeserializer<TValue> valueDeserializer, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var partitions = PartitionCount(topic) ?? throw new InvalidOperationException($"Topic '{topic}' does not exist.");
        var limit = timeout ?? DefaultWait;
        return Task.Run<IReadOnlyList<ConsumeResult<TKey, TValue>>>(
            () =>
            {
                var config = ClientSecurity.ApplyTo(new ConsumerConfig
                {
                    BootstrapServers = BootstrapServers,
                    ClientId = HelperClientId,
                    GroupId = HelperClientId,
                    EnableAutoCommit = false,
                    EnablePartitionEof = true,
                    IsolationLevel = IsolationLevel.ReadCommitted,
                    FetchWaitMaxMs = 10,
                });
                using var consumer = new ConsumerBuilder<TKey, TValue>(config).SetKeyDeserializer(keyDeserializer).SetValueDeserializer(valueDeserializer).Build();
                consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
                var records = new List<ConsumeResult<TKey, TValue>>();
                var ended = new HashSet<int>();
                var started = _options.TimeProvider.GetTimestamp();
                while (ended.Count < partitions)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (_options.TimeProvider.GetElapsedTime(started) > limit)
                    {
                        throw new TimeoutException($"{partitions - ended.Count} of {partitions} partition(s) of '{topic}' did not reach their end within {limit}; {records.Count} record(s) read.");
                    }

                    var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                    if (result is null)
                    {
                        continue;
                    }

                    if (result.IsPartitionEOF)
                    {
                        ended.Add(result.Partition.Value);
                    }
                    else
                    {
                        ended.Remove(result.Partition.Value);
                        records.Add(result);
                    }
                }

                consumer.Close();
                return records.OrderBy(r => r.Partition.Value).ThenBy(r => r.Offset.Value).ToList();
            },
            cancellationToken);
    }

    /// <summary>The offset <paramref name="groupId"/> has committed for a partition, or null when it has none.</summary>
    public async Task<long?> GetCommittedOffsetAsync(string groupId, string topic, int partition)
    {
        var groups = Broker.Groups;
        var (error, coordinator) = groups.FindCoordinator(groupId);
        if (error != ErrorCode.None || coordinator is null)
        {
            return null;
        }

        var (fetchError, offsets) = await groups.FetchOffsetsAsync(coordinator.Id, groupId, [(topic, [partition])]).ConfigureAwait(false);
        return fetchError == ErrorCode.None ? offsets.FirstOrDefault(o => o.Topic == topic && o.Partition == partition)?.Committed?.Offset : null;
    }

    /// <summary>
    /// Waits until <paramref name="groupId"/> has committed at least <paramref name="offset"/> for the
    /// partition and returns the committed offset; throws <see cref="TimeoutException"/> with the last
    /// committed offset after <paramref name="timeout"/> (default 30 s).
    /// </summary>
    public async Task<long> WaitForCommittedOffsetAsync(string groupId, string topic, int partition, long offset, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var limit = timeout ?? DefaultWait;
        var started = _options.TimeProvider.GetTimestamp();
        while (true)
        {
            var committed = await GetCommittedOffsetAsync(groupId, topic, partition).ConfigureAwait(false);
            if (committed >= offset)
            {
                return committed.Value;
            }

            if (_options.TimeProvider.GetElapsedTime(started) > limit)
            {
                throw new TimeoutException(
                    $"Group '{groupId}' did not commit offset {offset} for {topic}/{partition} within {limit}; committed: {(committed?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing")}.");
            }

            await Task.Delay(PollInterval, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Gets the cluster ready for the next test: lifts every fault, clears the request log, deletes
    /// every consumer group without members and every topic except Kafka's internal ones, and creates
    /// the start-up topics (<see cref="KafkaTestClusterOptions.Topics"/>) again. Close the clients of the
    /// previous test first: a group that still has members is kept.
    /// </summary>
    public async Task ResetAsync()
    {
        Faults.Clear();
        Requests.Clear();
        var groups = Broker.Groups;
        foreach (var node in Broker.Nodes.Where(n => n.IsAlive))
        {
            var (_, listed) = groups.ListGroups(node.Id);
            foreach (var group in listed)
            {
                await groups.DeleteGroupAsync(node.Id, group.GroupId).ConfigureAwait(false);
            }
        }

        foreach (var topic in Broker.Cluster.Topics.Where(t => !t.IsInternal && !t.Name.StartsWith("__", StringComparison.Ordinal)).ToList())
        {
            Broker.Cluster.DeleteTopic(topic);
        }

        foreach (var (name, partitions) in _options.Topics)
        {
            await CreateTopicAsync(name, partitions).ConfigureAwait(false);
        }
    }
}
