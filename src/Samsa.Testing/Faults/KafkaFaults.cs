using Samsa.Broker.Control;
using Samsa.Protocol;

namespace Samsa.Testing.Faults;

/// <summary>
/// Fault injection for a <see cref="KafkaTestCluster"/>, after franz-go kfake's control functions:
/// each call installs a fault that catches matching requests on every node and returns a
/// <see cref="FaultHandle"/> that lifts it. Faults apply in this order: disconnect, delay, error (the
/// first that matches), then, on the served request, paused fetches, leaderless partitions and throttling.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The Samsa and Confluent.Kafka error-code overloads of FailNext share their optional count and filter; none has shipped, so adding them together breaks no compiled caller.")]
public sealed class KafkaFaults
{
    private readonly BrokerControl _control;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private volatile FaultHandle[] _faults = [];

    internal KafkaFaults(BrokerControl control, TimeProvider time)
    {
        _control = control;
        _time = time;
    }

    /// <summary>The faults in force.</summary>
    public IReadOnlyList<FaultHandle> Active => _faults;

    /// <summary>
    /// Answers the next <paramref name="count"/> matching requests of <paramref name="api"/> with
    /// <paramref name="error"/> (null count: every one until lifted), at the level the response carries
    /// errors (partition, topic, group or the whole response). The request is not served: a failed
    /// produce appends nothing, a failed commit stores nothing.
    /// </summary>
    public FaultHandle FailNext(ApiKey api, ErrorCode error, int? count = 1, RequestFilter? filter = null) =>
        Add(new FaultHandle(this, FaultKind.Error, api, filter ?? RequestFilter.Any, CheckCount(count)) { Error = error });

    /// <summary>
    /// <see cref="FailNext(ApiKey, ErrorCode, int?, RequestFilter?)"/> with Confluent.Kafka's error code;
    /// its broker errors carry Kafka's numbers (<c>Confluent.Kafka.ErrorCode.NotEnoughReplicas</c> is 19).
    /// </summary>
    public FaultHandle FailNext(ApiKey api, Confluent.Kafka.ErrorCode error, int? count = 1, RequestFilter? filter = null)
    {
        if ((int)error is < -1 or > short.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(error), error, "Only broker error codes (Kafka's numbers, -1 and up) can be injected; librdkafka's local errors are negative.");
        }

        return FailNext(api, (ErrorCode)(short)error, count, filter);
    }

    /// <summary>Serves the next <paramref name="count"/> matching requests of <paramref name="api"/> (null: every one until lifted) after <paramref name="delay"/>.</summary>
    public FaultHandle DelayNext(ApiKey api, TimeSpan delay, int? count = 1, RequestFilter? filter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        return Add(new FaultHandle(this, FaultKind.Delay, api, filter ?? RequestFilter.Any, CheckCount(count)) { Duration = delay });
    }

    /// <summary>Closes the connection that sends the next <paramref name="count"/> matching requests of <paramref name="api"/>, without answering them.</summary>
    public FaultHandle DisconnectNext(ApiKey api, int? count = 1, RequestFilter? filter = null) =>
        Add(new FaultHandle(this, FaultKind.Disconnect, api, filter ?? RequestFilter.Any, CheckCount(count)));

    /// <summary>
    /// Reports <paramref name="throttle"/> as the throttle time of every matching response of
    /// <paramref name="api"/> (null: every API that has one) until lifted, as a broker does for a
    /// client over its quota; clients back off for that long before their next request to the node.
    /// </summary>
    public FaultHandle Throttle(ApiKey? api, TimeSpan throttle, RequestFilter? filter = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(throttle, TimeSpan.Zero);
        return Add(new FaultHandle(this, FaultKind.Throttle, api, filter ?? RequestFilter.Any, null) { Duration = throttle });
    }

    /// <summary>
    /// Until lifted, fetches of the matching partitions return no records (after the fetch's own
    /// wait time, as when nothing new arrived); their offsets and high watermarks stay true.
    /// </summary>
    public FaultHandle PauseFetches(RequestFilter? filter = null) =>
        Add(new FaultHandle(this, FaultKind.PauseFetch, ApiKey.Fetch, filter ?? RequestFilter.Any, null));

    /// <summary>
    /// Makes a partition leaderless until lifted, or for <paramref name="duration"/>: Metadata reports it with
    /// leader -1 and LEADER_NOT_AVAILABLE, and produce, fetch and offset requests for it get NOT_LEADER_OR_FOLLOWER.
    /// </summary>
    public FaultHandle MakeLeaderless(string topic, int partition, TimeSpan? duration = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var fault = Add(new FaultHandle(this, FaultKind.Leaderless, null, new RequestFilter { Topic = topic, Partition = partition }, null));
        if (duration is { } lifetime)
        {
            ITimer? timer = null;
            timer = _time.CreateTimer(_ => { fault.Lift(); timer?.Dispose(); }, null, lifetime, Timeout.InfiniteTimeSpan);
        }

        return fault;
    }

    /// <summary>Cuts every connection of clients with <paramref name="clientId"/> on every node; returns how many were open. Clients reconnect on their own.</summary>
    public int DropConnections(string clientId)
    {
        ArgumentNullException.ThrowIfNull(clientId);
        return _control.DropConnections(connection => ClientIds.TryGetValue(connection, out var id) && string.Equals(id, clientId, StringComparison.Ordinal));
    }

    /// <summary>Lifts every fault.</summary>
    public void Clear()
    {
        FaultHandle[] lifted;
        lock (_gate)
        {
            (lifted, _faults) = (_faults, []);
        }

        foreach (var fault in lifted)
        {
            fault.Lift();
        }
    }

    /// <summary>The client id last seen on each connection (to drop a client's connections).</summary>
    internal System.Collections.Concurrent.ConcurrentDictionary<long, string?> ClientIds { get; } = new();

    internal void Remove(FaultHandle fault)
    {
        lock (_gate)
        {
            _faults = _faults.Where(f => f != fault).ToArray();
        }
    }

    private FaultHandle Add(FaultHandle fault)
    {
        lock (_gate)
        {
            _faults = [.. _faults, fault];
        }

        return fault;
    }

    private static int? CheckCount(int? count)
    {
        if (count is { } n)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n, nameof(count));
        }

        return count;
    }
}
