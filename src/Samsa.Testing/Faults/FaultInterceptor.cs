using System.Buffers.Binary;
using Samsa.Broker.Cluster;
using Samsa.Broker.Control;
using Samsa.Broker.Handlers;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Testing.Requests;

namespace Samsa.Testing.Faults;

/// <summary>
/// The cluster's request interceptor: applies the faults in force to each request and logs it.
/// With no fault and no log it hands the request straight to its handler.
/// </summary>
internal sealed class FaultInterceptor(KafkaFaults faults, RequestLog? log, ClusterState cluster, BrokerControl control) : IRequestInterceptor
{
    /// <summary>The APIs a leaderless partition refuses with NOT_LEADER_OR_FOLLOWER.</summary>
    private static readonly ApiKey[] LeaderApis = [ApiKey.Produce, ApiKey.Fetch, ApiKey.ListOffsets, ApiKey.OffsetForLeaderEpoch, ApiKey.DeleteRecords];

    private readonly Func<Guid, string?> _topicName = id => cluster.TryGetTopic(id, out var topic) ? topic.Name : null;

    public ValueTask<IKafkaResponse?> InterceptAsync(IRequestHandler handler, RequestContext context, ReadOnlyMemory<byte> body)
    {
        faults.ClientIds[context.ConnectionId] = context.ClientId;
        var active = faults.Active;
        var logged = log is not null && context.ClientId != KafkaTestCluster.HelperClientId;
        if (active.Count == 0 && !logged)
        {
            return handler.HandleAsync(context, body);
        }

        return InterceptSlowAsync(handler, context, body, active, logged);
    }

    private async ValueTask<IKafkaResponse?> InterceptSlowAsync(IRequestHandler handler, RequestContext context, ReadOnlyMemory<byte> body, IReadOnlyList<FaultHandle> active, bool logged)
    {
        var api = handler.ApiKey;
        var request = Decode(api, body, context.ApiVersion);
        var partitions = MessageTree.Partitions(request, _topicName);
        var groupId = GroupOf(request);
        var applied = new List<FaultKind>();

        bool Matches(FaultHandle fault) =>
            (fault.Filter.ClientId is null || string.Equals(fault.Filter.ClientId, context.ClientId, StringComparison.Ordinal))
            && (fault.Filter.GroupId is null || string.Equals(fault.Filter.GroupId, groupId, StringComparison.Ordinal))
            && (!fault.Filter.NarrowsPartitions || partitions.Any(p => fault.Filter.MatchesPartition(p.Topic, p.Partition)));

        foreach (var fault in active)
        {
            if (fault.Kind == FaultKind.Disconnect && fault.Catches(api) && Matches(fault) && fault.TryApply())
            {
                applied.Add(FaultKind.Disconnect);
                if (logged)
                {
                    Log(context, api, request, partitions, null, applied);
                }

                control.DropConnections(id => id == context.ConnectionId);
                await Task.Delay(Timeout.InfiniteTimeSpan, context.Time, context.Aborted).ConfigureAwait(false);
            }
        }

        foreach (var fault in active)
        {
            if (fault.Kind == FaultKind.Delay && fault.Catches(api) && Matches(fault) && fault.TryApply())
            {
                applied.Add(FaultKind.Delay);
                await Task.Delay(fault.Duration, context.Time, context.Aborted).ConfigureAwait(false);
            }
        }

        var error = active.FirstOrDefault(f =>
            ((f.Kind == FaultKind.Error && f.Catches(api)) || (f.Kind == FaultKind.Leaderless && LeaderApis.Contains(api)))
            && Matches(f) && f.TryApply());
        var wait = context.Time.GetTimestamp();
        IKafkaResponse? response;
        if (error is null)
        {
            response = await handler.HandleAsync(context, body).ConfigureAwait(false);
        }
        else
        {
            applied.Add(error.Kind);
            response = await AnswerWithErrorAsync(handler, context, request, partitions, error).ConfigureAwait(false);
        }

        if (response is FetchResponse fetch && request is FetchRequest fetchRequest)
        {
            var pauses = active.Where(f => f.Kind == FaultKind.PauseFetch && Matches(f) && f.TryApply()).ToList();
            if (pauses.Count > 0)
            {
                applied.Add(FaultKind.PauseFetch);
                await PauseAsync(context, fetch, fetchRequest, pauses, wait).ConfigureAwait(false);
            }
        }

        if (response is MetadataResponse metadata)
        {
            var leaderless = active.Where(f => f.Kind == FaultKind.Leaderless && f.IsActive).ToList();
            if (leaderless.Count > 0 && HideLeaders(metadata, leaderless))
            {
                applied.Add(FaultKind.Leaderless);
            }
        }

        if (response is not null)
        {
            foreach (var fault in active)
            {
                if (fault.Kind == FaultKind.Throttle && fault.Catches(api) && Matches(fault)
                    && MessageTree.TrySetThrottle(response, (int)fault.Duration.TotalMilliseconds) && fault.TryApply())
                {
                    applied.Add(FaultKind.Throttle);
                }
            }
        }

        if (logged)
        {
            Log(context, api, request, partitions, response, applied);
        }

        return response;
    }

    /// <summary>
    /// The whole request gets the error when the fault names no partition or every partition matches;
    /// otherwise the matching partitions are taken out of the request, the rest is served, and the
    /// answer carries both.
    /// </summary>
    private async ValueTask<IKafkaResponse?> AnswerWithErrorAsync(IRequestHandler handler, RequestContext context, IKafkaRequest request, List<PartitionItem> partitions, FaultHandle fault)
    {
        var code = (short)(fault.Kind == FaultKind.Leaderless ? ErrorCode.NotLeaderOrFollower : fault.Error);
        var responseType = KafkaMessageFactory.CreateResponse(handler.ApiKey)!.GetType();
        var filter = fault.Filter;
        var silent = request is ProduceRequest { Acks: 0 };
        if (!filter.NarrowsPartitions || partitions.All(p => filter.MatchesPartition(p.Topic, p.Partition)))
        {
            return silent ? null : (IKafkaResponse)MessageTree.ErrorResponse(request, responseType, code, static (_, _) => true, _topicName);
        }

        var injected = MessageTree.ErrorResponse(request, responseType, code, filter.MatchesPartition, _topicName);
        MessageTree.Prune(request, filter.MatchesPartition, _topicName);
        var response = await handler.HandleAsync(context, Encode(request, context.ApiVersion)).ConfigureAwait(false);
        if (response is not null)
        {
            MessageTree.Merge(response, injected);
        }

        return response;
    }

    /// <summary>Drops the records of paused partitions; when nothing is left to return, answers after the fetch's own wait, as an idle long poll does.</summary>
    private async Task PauseAsync(RequestContext context, FetchResponse response, FetchRequest request, List<FaultHandle> pauses, long started)
    {
        var anyRecords = false;
        foreach (var topic in response.Responses)
        {
            var name = topic.Topic is { Length: > 0 } n ? n : _topicName(topic.TopicId);
            foreach (var partition in topic.Partitions)
            {
                if (name is not null && pauses.Any(p => p.Filter.MatchesPartition(name, partition.PartitionIndex)))
                {
                    partition.Records = null;
                }
                else
                {
                    anyRecords |= partition.Records is { Length: > 0 };
                }
            }
        }

        var remaining = TimeSpan.FromMilliseconds(request.MaxWaitMs) - context.Time.GetElapsedTime(started);
        if (!anyRecords && remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, context.Time, context.Aborted).ConfigureAwait(false);
        }
    }

    private bool HideLeaders(MetadataResponse metadata, List<FaultHandle> leaderless)
    {
        var hidden = false;
        foreach (var topic in metadata.Topics)
        {
            var name = topic.Name is { Length: > 0 } n ? n : _topicName(topic.TopicId);
            foreach (var partition in topic.Partitions)
            {
                if (name is not null && leaderless.Any(f => f.Filter.MatchesPartition(name, partition.PartitionIndex)))
                {
                    partition.ErrorCode = (short)ErrorCode.LeaderNotAvailable;
                    partition.LeaderId = -1;
                    hidden = true;
                }
            }
        }

        return hidden;
    }

    private void Log(RequestContext context, ApiKey api, IKafkaRequest request, List<PartitionItem> partitions, IKafkaResponse? response, List<FaultKind> applied)
    {
        var answers = response is null ? [] : MessageTree.Partitions(response, _topicName);
        var logged = new List<LoggedPartition>(partitions.Count);
        foreach (var partition in partitions)
        {
            var answer = answers.FirstOrDefault(a => a.Topic == partition.Topic && a.Partition == partition.Partition).Item;
            var offset = partition.Item is null ? null : MessageTree.GetInt64(partition.Item, "CommittedOffset") ?? MessageTree.GetInt64(partition.Item, "FetchOffset");
            if (offset is null && answer is not null && api is ApiKey.Produce or ApiKey.ListOffsets)
            {
                offset = MessageTree.GetInt64(answer, api == ApiKey.Produce ? "BaseOffset" : "Offset");
            }

            var records = partition.Item is ProduceRequest.PartitionProduceData { Records: { } bytes } ? CountRecords(bytes.Span) : 0;
            var error = answer is null ? null : MessageTree.ErrorOf(answer);
            logged.Add(new LoggedPartition(partition.Topic, partition.Partition, offset, records, (ErrorCode)(error ?? 0)));
        }

        log!.Add(new LoggedRequest
        {
            Timestamp = context.Time.GetUtcNow(),
            NodeId = context.Node.Id,
            Api = api,
            Version = context.ApiVersion,
            ClientId = context.ClientId,
            ConnectionId = context.ConnectionId,
            GroupId = GroupOf(request),
            TransactionalId = MessageTree.FindString(request, "TransactionalId"),
            Partitions = logged,
            Error = response is null ? ErrorCode.None : (ErrorCode)(MessageTree.ErrorOf(response) ?? 0),
            Faults = applied.ToArray(),
        });
    }

    private static string? GroupOf(IKafkaRequest request) => request switch
    {
        FindCoordinatorRequest { KeyType: 0 } find => find.CoordinatorKeys is { Count: > 0 } keys ? keys[0] : find.Key,
        FindCoordinatorRequest => null,
        _ => MessageTree.FindString(request, "GroupId"),
    };

    /// <summary>Records in a run of record batches: each batch header holds its count at byte 57 (Kafka's v2 format).</summary>
    private static int CountRecords(ReadOnlySpan<byte> batches)
    {
        var count = 0;
        while (batches.Length >= 61)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(batches[8..]);
            count += BinaryPrimitives.ReadInt32BigEndian(batches[57..]);
            if (length <= 0 || 12 + length > batches.Length)
            {
                break;
            }

            batches = batches[(12 + length)..];
        }

        return count;
    }

    private static IKafkaRequest Decode(ApiKey api, ReadOnlyMemory<byte> body, short version)
    {
        var request = KafkaMessageFactory.CreateRequest(api) ?? throw new InvalidOperationException($"No request type for {api}.");
        var reader = new KafkaReader(body);
        request.Read(ref reader, version);
        return request;
    }

    private static ReadOnlyMemory<byte> Encode(IKafkaRequest request, short version)
    {
        using var buffer = new PooledBufferWriter(1024);
        var writer = new KafkaWriter(buffer);
        request.Write(ref writer, version);
        return buffer.WrittenMemory.ToArray();
    }
}
