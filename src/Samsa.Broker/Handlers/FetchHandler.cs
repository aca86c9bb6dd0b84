using System.Collections.Concurrent;
using Samsa.Broker.Cluster;
using Samsa.Broker.Fetching;
using Samsa.Broker.Replication;
using Samsa.Broker.Security.Authorization;
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
/// Fetch sessions (KIP-227, v7+): epoch 0 opens a session holding the request's partitions (when
/// <c>max.incremental.fetch.session.cache.slots</c> has room, see <see cref="FetchSessionCache"/>);
/// later requests carry the next epoch, only the partitions that changed and the forgotten ones,
/// and are answered with only the partitions that have records, an error, or a new high watermark
/// or log start offset. FETCH_SESSION_ID_NOT_FOUND, INVALID_FETCH_SESSION_EPOCH and
/// FETCH_SESSION_TOPIC_ID_ERROR (a session of topic ids used by a pre-v13 request, or the other way)
/// as Kafka answers them; epoch -1 fetches without a session and closes the one named.
/// Fetching from followers (KIP-392) is not offered; PreferredReadReplica is always -1. No
/// down-conversion: a v0-3 fetcher receives the stored magic-2 batches as they are.
/// Version notes: v4 isolation level, last stable offset, aborted transactions; v5 log start
/// offset; v7 sessions; v9 current leader epoch; v11 rack; v12 flexible, diverging epoch, current
/// leader; v13 topic ids; v15 replica state; v16 node endpoints.
/// </summary>
internal sealed class FetchHandler : RequestHandler<FetchRequest, FetchResponse>
{
    private const sbyte ReadCommitted = 1;

    /// <summary>Each node's fetch sessions (sessions belong to the node that made them).</summary>
    private readonly ConcurrentDictionary<int, FetchSessionCache> _sessions = new();

    public override ApiKey ApiKey => ApiKey.Fetch;

    /// <summary>How many fetch sessions <paramref name="nodeId"/> holds (tests and diagnostics).</summary>
    public int SessionCount(int nodeId) => _sessions.TryGetValue(nodeId, out var cache) ? cache.Count : 0;

    public override short MinVersion => 0;

    public override short MaxVersion => 17;

    protected override async ValueTask<FetchResponse?> HandleAsync(RequestContext context, FetchRequest request)
    {
        var version = context.ApiVersion;
        FetchSession? session = null;
        var incremental = false;
        if (version >= 7)
        {
            var (error, opened, isIncremental) = OpenSession(context, request);
            if (error != ErrorCode.None)
            {
                return new FetchResponse { ErrorCode = (short)error, SessionId = 0 };
            }

            (session, incremental) = (opened, isIncremental);
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

                if (session is not null)
                {
                    KeepSessionNews(session, response, incremental);
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

    /// <summary>
    /// The session a v7+ request works in: none (epoch -1, or no slot for a new one), a new one
    /// (epoch 0), or an existing one whose partitions the request updates; for an incremental
    /// request, <paramref name="request"/>'s topics become every partition of the session.
    /// </summary>
    private (ErrorCode Error, FetchSession? Session, bool Incremental) OpenSession(RequestContext context, FetchRequest request)
    {
        var cache = _sessions.GetOrAdd(context.Node.Id, _ => new FetchSessionCache(context.Cluster.Options.MaxIncrementalFetchSessionCacheSlots));
        var now = context.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var usesTopicIds = context.ApiVersion >= 13;
        if (request.SessionEpoch is -1 or 0)
        {
            if (request.SessionId != 0)
            {
                cache.Remove(request.SessionId);
            }

            if (request.SessionEpoch == -1)
            {
                return (ErrorCode.None, null, false);
            }

            var created = cache.TryCreate(request.Topics.Sum(t => t.Partitions.Count), usesTopicIds, now);
            if (created is not null)
            {
                lock (created.Gate)
                {
                    foreach (var topic in request.Topics)
                    {
                        foreach (var partition in topic.Partitions)
                        {
                            created.Upsert(topic, partition);
                        }
                    }
                }
            }

            return (ErrorCode.None, created, false);
        }

        var session = cache.Get(request.SessionId);
        if (session is null)
        {
            return (ErrorCode.FetchSessionIdNotFound, null, false);
        }

        lock (session.Gate)
        {
            if (session.UsesTopicIds != usesTopicIds)
            {
                return (ErrorCode.FetchSessionTopicIdError, null, false);
            }

            if (session.Epoch != request.SessionEpoch)
            {
                return (ErrorCode.InvalidFetchSessionEpoch, null, false);
            }

            foreach (var topic in request.Topics)
            {
                foreach (var partition in topic.Partitions)
                {
                    session.Upsert(topic, partition);
                }
            }

            foreach (var forgotten in request.ForgottenTopicsData)
            {
                session.Forget(forgotten);
            }

            // Kafka's next epoch: +1, wrapping past int.MaxValue to 1 (0 and -1 have their own meaning).
            session.Epoch = session.Epoch == int.MaxValue ? 1 : session.Epoch + 1;
            session.LastUsedMs = now;
            request.Topics = session.ToTopics();
        }

        return (ErrorCode.None, session, true);
    }

    /// <summary>Names the session in the response and, for an incremental request, leaves only the partitions with news.</summary>
    private static void KeepSessionNews(FetchSession session, FetchResponse response, bool incremental)
    {
        response.SessionId = session.Id;
        lock (session.Gate)
        {
            foreach (var topic in response.Responses)
            {
                topic.Partitions.RemoveAll(p => !session.MustRespond(topic, p) && incremental);
            }
        }

        response.Responses.RemoveAll(t => t.Partitions.Count == 0);
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
            var readable = !found || context.Authorize(AclOperation.Read, AclResourceType.Topic, topic!.Name);
            foreach (var fetchPartition in fetchTopic.Partitions)
            {
                if (!readable)
                {
                    targets.Add(new Target(t, fetchTopic, fetchPartition, null, null, ErrorCode.TopicAuthorizationFailed));
                }
                else if (!found)
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
