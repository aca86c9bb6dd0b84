using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Samsa.Monitoring;

/// <summary>
/// Reads consumer lag the way Kafka's own tools do: the committed offsets of each group (from its coordinator)
/// against the partitions' high watermarks (from their leaders).
/// </summary>
internal static class ConsumerLagReader
{
    /// <param name="admin">A connected admin client.</param>
    /// <param name="groups">The groups; empty reads every consumer group of the cluster.</param>
    /// <param name="timeout">The bound of each request.</param>
    /// <exception cref="KafkaException">The cluster did not answer within <paramref name="timeout"/>, or refused a request.</exception>
    public static async Task<List<GroupLag>> ReadAsync(IAdminClient admin, IReadOnlyList<string> groups, TimeSpan timeout)
    {
        // A metadata request first: it fails cleanly when no broker answers, where librdkafka 2.16's group
        // listing against an unreachable cluster outlives its timeout and can crash the process when it ends.
        admin.GetMetadata(timeout);

        if (groups.Count == 0)
        {
            var listed = await admin.ListConsumerGroupsAsync(new ListConsumerGroupsOptions { RequestTimeout = timeout }).ConfigureAwait(false);
            groups = listed.Valid.Select(g => g.GroupId).Order(StringComparer.Ordinal).ToList();
        }

        if (groups.Count == 0)
        {
            return [];
        }

        var descriptions = (await admin.DescribeConsumerGroupsAsync(groups, new DescribeConsumerGroupsOptions { RequestTimeout = timeout }).ConfigureAwait(false))
            .ConsumerGroupDescriptions.ToDictionary(d => d.GroupId, StringComparer.Ordinal);

        var committed = new Dictionary<string, Dictionary<TopicPartition, long>>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            // librdkafka takes one group per ListConsumerGroupOffsets request.
            var results = await admin.ListConsumerGroupOffsetsAsync(
                [new ConsumerGroupTopicPartitions(group, null)],
                new ListConsumerGroupOffsetsOptions { RequestTimeout = timeout }).ConfigureAwait(false);
            var offsets = new Dictionary<TopicPartition, long>();
            foreach (var partition in results.SelectMany(r => r.Partitions).Where(p => p.Error.Code == ErrorCode.NoError))
            {
                offsets[partition.TopicPartition] = partition.Offset.Value;
            }

            // Assigned partitions the group has not committed to yet lag too; show them with no commit.
            if (descriptions.TryGetValue(group, out var description))
            {
                foreach (var assigned in description.Members.SelectMany(m => m.Assignment?.TopicPartitions ?? []))
                {
                    offsets.TryAdd(assigned, Offset.Unset.Value);
                }
            }

            committed[group] = offsets;
        }

        var partitions = committed.Values.SelectMany(o => o.Keys).Distinct().ToList();
        var ends = new Dictionary<TopicPartition, long>();
        if (partitions.Count > 0)
        {
            var listedOffsets = await admin.ListOffsetsAsync(
                partitions.Select(p => new TopicPartitionOffsetSpec { TopicPartition = p, OffsetSpec = OffsetSpec.Latest() }),
                new ListOffsetsOptions { RequestTimeout = timeout }).ConfigureAwait(false);
            foreach (var info in listedOffsets.ResultInfos)
            {
                ends[info.TopicPartitionOffsetError.TopicPartition] = info.TopicPartitionOffsetError.Offset.Value;
            }
        }

        return groups.Select(group =>
        {
            var state = descriptions.TryGetValue(group, out var description) ? description.State.ToString() : "Unknown";
            var members = description?.Members.Count ?? 0;
            var rows = committed[group]
                .Where(c => ends.ContainsKey(c.Key))
                .Select(c => new PartitionLag(c.Key.Topic, c.Key.Partition.Value, c.Value >= 0 ? c.Value : null, ends[c.Key]))
                .OrderBy(p => p.Topic, StringComparer.Ordinal)
                .ThenBy(p => p.Partition)
                .ToList();
            return new GroupLag(group, state, members, rows);
        }).ToList();
    }

    /// <summary>
    /// Reads the timestamp of the record at each lagging partition's committed offset (the oldest record the group has
    /// not consumed) with a consumer of no group that only assigns; partitions whose record does not arrive within
    /// <paramref name="timeout"/> keep no timestamp.
    /// </summary>
    public static Task<List<GroupLag>> AddTimestampsAsync(List<GroupLag> groups, Func<IConsumer<byte[]?, byte[]?>> createConsumer, TimeSpan timeout, CancellationToken cancellationToken) =>
        Task.Run(
            () =>
            {
                var wanted = groups.SelectMany(g => g.Partitions)
                    .Where(p => p.Committed is { } committed && p.End > committed)
                    .Select(p => new TopicPartitionOffset(p.Topic, p.Partition, p.Committed!.Value))
                    .Distinct()
                    .ToList();
                if (wanted.Count == 0)
                {
                    return groups;
                }

                var found = new Dictionary<(string Topic, int Partition, long Offset), DateTimeOffset>();
                using (var consumer = createConsumer())
                {
                    // A partition is paused once its record is read.
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    var pending = wanted.ToDictionary(w => w.TopicPartition, w => w.Offset.Value);
                    consumer.Assign(wanted);
                    while (pending.Count > 0 && clock.Elapsed < timeout && !cancellationToken.IsCancellationRequested)
                    {
                        var record = consumer.Consume(TimeSpan.FromMilliseconds(100));
                        if (record is null || record.IsPartitionEOF || !pending.TryGetValue(record.TopicPartition, out var offset))
                        {
                            continue;
                        }

                        if (record.Offset.Value >= offset)
                        {
                            found[(record.Topic, record.Partition.Value, offset)] = DateTimeOffset.FromUnixTimeMilliseconds(record.Message.Timestamp.UnixTimestampMs);
                            pending.Remove(record.TopicPartition);
                            consumer.Pause([record.TopicPartition]);
                        }
                    }

                    consumer.Close();
                }

                return groups.Select(g => g with
                {
                    Partitions = [.. g.Partitions.Select(p => p.Committed is { } committed && found.TryGetValue((p.Topic, p.Partition, committed), out var at)
                        ? p with { CommittedRecordTimestamp = at }
                        : p)],
                }).ToList();
            },
            cancellationToken);
}
