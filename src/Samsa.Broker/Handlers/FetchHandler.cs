using Samsa.Broker.Cluster;
using Samsa.Broker.Replication;
using Samsa.Broker.Storage;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Handlers;

/// <summary>
/// Fetch (key 1), versions 0-17.
/// Returns whole stored batches below the high watermark (read_committed: below the last stable
/// offset, with the aborted transactions of the returned range), byte for byte as produced, up to the
/// per-partition and per-response limits (the first batch of the first partition with data is
/// always returned so a consumer makes progress). When fewer than MinBytes are ready it waits
/// (long poll) until records arrive or MaxWaitMs passes; errors answer at once.
/// Behaviour: fetch sessions are declined (SessionId 0 in the answer, as Kafka allows), so clients
/// send full fetch requests; an incremental request naming a session gets FETCH_SESSION_ID_NOT_FOUND.
/// Fetching from followers (KIP-392) is not offered; PreferredReadReplica is always -1. No
/// down-conversion: a v0-3 fetcher receives the stored magic-2 batches as they are.
/// Version notes: v4 isolation level, last stable offset, aborted transactions; v5 log start
/// offset; v7 sessions; v9 current leader epoch; v11 rack; v12 flexible, diverging epoch, current
/// leader; v13 topic ids; v15 replica state; v16 node endpoints.
/// </summary>
internal sealed class FetchHandler : RequestHandler<FetchRequest, FetchResponse>
{
    private const sbyte ReadCommitted = 1;

    public override ApiKey ApiKey => ApiKey.Fetch;

    public override short MinVersion => 0;

    public override short MaxVersion => 17;

    protected override async ValueTask<FetchResponse?> HandleAsync(RequestContext context, FetchRequest request)
    {
        var version = context.ApiVersion;
        if (version >= 7 && request.SessionId != 0 && request.SessionEpoch != -1)
        {
            return new FetchResponse { ErrorCode = (short)ErrorCode.FetchSessionIdNotFound, SessionId = 0 };
        }

        var targets = Resolve(context, request);
        var wait = TimeSpan.FromMilliseconds(Math.Max(0, request.MaxWaitMs));
        var started = context.Time.GetTimestamp();
        while (true)
        {
            // Taken before reading, so records appended during the read still wake us.
            var signals = targets.Where(t => t.Partition is not null).Select(t => t.Partition!.DataArrived).Distinct().ToList();
            var (response, bytes, anyError, results) = ReadAll(context, request, targets);
            var remaining = wait - context.Time.GetElapsedTime(started);
            if (bytes >= request.MinBytes || anyError || remaining <= TimeSpan.Zero || signals.Count == 0)
            {
                foreach (var result in results)
                {
                    context.DisposeAfterResponse(result);
                }

                return response;
            }

            foreach (var result in results)
            {
                result.Dispose();
            }

            signals.Add(Task.Delay(remaining, context.Time, context.Aborted));
            var woke = await Task.WhenAny(signals).ConfigureAwait(false);
            context.Aborted.ThrowIfCancellationRequested();
            if (woke == signals[^1] && woke.IsCompleted && context.Time.GetElapsedTime(started) >= wait)
            {
                // Timed out: one last read below, then answer whatever there is.
                wait = TimeSpan.Zero;
            }
        }
    }

    private sealed record Target(int TopicIndex, FetchRequest.FetchTopic Topic, FetchRequest.FetchPartition Request, TopicState? TopicState, Partition? Partition, ErrorCode Error);

    private static List<Target> Resolve(RequestContext context, FetchRequest request)
    {
        var targets = new List<Target>();
        var byId = context.ApiVersion >= 13;
        for (var t = 0; t < request.Topics.Count; t++)
        {
            var fetchTopic = request.Topics[t];
            TopicState? topic;
            var found = byId ? context.Cluster.TryGetTopic(fetchTopic.TopicId, out topic) : context.Cluster.TryGetTopic(fetchTopic.Topic, out topic);
            foreach (var fetchPartition in fetchTopic.Partitions)
            {
                if (!found)
                {
                    targets.Add(new Target(t, fetchTopic, fetchPartition, null, null, byId ? ErrorCode.UnknownTopicId : ErrorCode.UnknownTopicOrPartition));
                }
                else if (!topic!.TryGetPartition(fetchPartition.Partition, out var partition))
                {
                    targets.Add(new Target(t, fetchTopic, fetchPartition, topic, null, ErrorCode.UnknownTopicOrPartition));
                }
                else
                {
                    targets.Add(new Target(t, fetchTopic, fetchPartition, topic, partition, ErrorCode.None));
                }
            }
        }

        return targets;
    }

    private static (FetchResponse Response, long Bytes, bool AnyError, List<LogReadResult> Results) ReadAll(RequestContext context, FetchRequest request, List<Target> targets)
    {
        var version = context.ApiVersion;
        var response = new FetchResponse { SessionId = 0 };
        var results = new List<LogReadResult>();
        var topicResponses = new Dictionary<int, FetchResponse.FetchableTopicResponse>();
        long bytes = 0;
        var anyError = false;
        var notLeader = false;
        var budget = version >= 3 ? (long)request.MaxBytes : long.MaxValue;
        foreach (var target in targets)
        {
            if (!topicResponses.TryGetValue(target.TopicIndex, out var topicResponse))
            {
                topicResponse = new FetchResponse.FetchableTopicResponse
                {
                    Topic = version < 13 ? target.Topic.Topic : string.Empty,
                    TopicId = version >= 13 ? target.Topic.TopicId : Guid.Empty,
                };
                topicResponses[target.TopicIndex] = topicResponse;
                response.Responses.Add(topicResponse);
            }

            var partitionResponse = new FetchResponse.PartitionData
            {
                PartitionIndex = target.Request.Partition,
                HighWatermark = -1,
                LastStableOffset = -1,
                LogStartOffset = -1,
                AbortedTransactions = request.IsolationLevel == ReadCommitted ? [] : null,
                Records = ReadOnlyMemory<byte>.Empty,
            };
            topicResponse.Partitions.Add(partitionResponse);
            var error = target.Error;
            if (error == ErrorCode.None)
            {
                error = ReadPartition(context, target, partitionResponse, ref budget, bytes == 0, results, out var read, request.IsolationLevel == ReadCommitted && version >= 4);
                bytes += read;
            }

            partitionResponse.ErrorCode = (short)error;
            if (error != ErrorCode.None)
            {
                anyError = true;
                if (error is ErrorCode.NotLeaderOrFollower or ErrorCode.FencedLeaderEpoch && target.Partition is not null && version >= 12)
                {
                    notLeader = true;
                    var leadership = target.Partition.Leadership;
                    partitionResponse.CurrentLeader = new FetchResponse.LeaderIdAndEpoch { LeaderId = leadership.LeaderId, LeaderEpoch = leadership.LeaderEpoch };
                }
            }
        }

        if (notLeader && version >= 16)
        {
            foreach (var node in context.Cluster.Nodes.Where(n => n.IsAlive))
            {
                response.NodeEndpoints.Add(new FetchResponse.NodeEndpoint { NodeId = node.Id, Host = node.Host, Port = node.Port });
            }
        }

        return (response, bytes, anyError, results);
    }

    private static ErrorCode ReadPartition(
        RequestContext context,
        Target target,
        FetchResponse.PartitionData partitionResponse,
        ref long budget,
        bool first,
        List<LogReadResult> results,
        out long bytesRead,
        bool readCommitted)
    {
        bytesRead = 0;
        var partition = target.Partition!;
        var version = context.ApiVersion;
        var leadership = partition.Leadership;
        if (version >= 9 && target.Request.CurrentLeaderEpoch >= 0 && leadership.LeaderId == context.Node.Id)
        {
            if (target.Request.CurrentLeaderEpoch > leadership.LeaderEpoch)
            {
                return ErrorCode.UnknownLeaderEpoch;
            }

            if (target.Request.CurrentLeaderEpoch < leadership.LeaderEpoch)
            {
                return ErrorCode.FencedLeaderEpoch;
            }
        }

        if (version >= 12 && target.Request.LastFetchedEpoch >= 0)
        {
            var (epochError, epoch, endOffset) = partition.EndOffsetForEpoch(context.Node.Id, target.Request.LastFetchedEpoch);
            if (epochError == ErrorCode.None && (epoch != target.Request.LastFetchedEpoch || endOffset < target.Request.FetchOffset))
            {
                partitionResponse.HighWatermark = partition.HighWatermark;
                partitionResponse.LastStableOffset = partition.LastStableOffset;
                partitionResponse.LogStartOffset = partition.LogStartOffset;
                partitionResponse.DivergingEpoch = new FetchResponse.EpochEndOffset { Epoch = epoch, EndOffset = endOffset };
                return ErrorCode.None;
            }
        }

        var limit = (int)Math.Min(target.Request.PartitionMaxBytes, Math.Max(budget, 0));
        var outcome = partition.Read(context.Node.Id, target.Request.FetchOffset, Math.Max(limit, 1), readCommitted);
        partitionResponse.HighWatermark = outcome.HighWatermark;
        partitionResponse.LastStableOffset = outcome.LastStableOffset;
        partitionResponse.LogStartOffset = outcome.LogStartOffset;
        if (outcome.Error != ErrorCode.None)
        {
            outcome.Data.Dispose();
            return outcome.Error;
        }

        var size = outcome.Data.Records.Length;
        if (size == 0 || (!first && size > limit) || (budget <= 0 && !first))
        {
            // Only the first partition with data may go over the limits.
            outcome.Data.Dispose();
            return ErrorCode.None;
        }

        results.Add(outcome.Data);
        partitionResponse.Records = outcome.Data.Records;
        if (readCommitted)
        {
            partitionResponse.AbortedTransactions = AbortedTransactions(partition, target.Request.FetchOffset, outcome.Data.Records);
        }

        budget -= size;
        bytesRead = size;
        return ErrorCode.None;
    }

    /// <summary>The aborted transactions whose data may lie in the returned batches (from the fetch offset to the end of the last batch).</summary>
    private static List<FetchResponse.AbortedTransaction> AbortedTransactions(Partition partition, long fetchOffset, ReadOnlyMemory<byte> records)
    {
        var end = fetchOffset;
        var reader = new RecordBatchReader(records);
        while (reader.TryReadNext(out var batch))
        {
            end = batch.Header.LastOffset + 1;
        }

        return partition.Transactions.AbortedIn(fetchOffset, end)
            .Select(a => new FetchResponse.AbortedTransaction { ProducerId = a.ProducerId, FirstOffset = a.FirstOffset })
            .ToList();
    }
}
