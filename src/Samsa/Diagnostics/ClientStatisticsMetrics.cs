using System.Diagnostics.Metrics;
using System.Text.Json;
using static Samsa.Diagnostics.SamsaInstruments;

namespace Samsa.Diagnostics;

/// <summary>
/// librdkafka's statistics (<c>statistics.interval.ms</c>) as metrics: each client Samsa builds hands its statistics
/// JSON to <see cref="Record"/>, which keeps the latest reading per client; the observable instruments
/// (<see cref="BrokerRoundTrip"/>, <see cref="BrokerRequestsWaiting"/>, <see cref="BrokerRequestsInFlight"/>,
/// <see cref="BrokerErrors"/>, <see cref="ProducerQueuedMessages"/>, <see cref="ConsumerPartitions"/>) report them when
/// collected. Nothing is parsed or reported unless the setting is on.
/// </summary>
/// <remarks>
/// A reading older than three of its client's intervals is dropped when collected, so a disposed client stops being
/// reported without having to say goodbye. librdkafka calls <see cref="Record"/> on its own thread; collection runs on
/// the exporter's; the lock guards only the dictionary swap.
/// </remarks>
internal sealed class ClientStatisticsMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly TimeProvider _timeProvider;
    private readonly Dictionary<string, ClientReading> _latest = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, or on a meter of its own when null.</summary>
    public ClientStatisticsMetrics(IMeterFactory? meterFactory, TimeProvider? timeProvider = null)
    {
        var options = new MeterOptions(SamsaNames.MeterName);
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(options) ?? new Meter(options);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _meter.CreateObservableGauge(
            BrokerRoundTrip, () => ObserveBrokers(b => b.RoundTripSeconds), unit: "s",
            description: "Average round trip of requests to a broker over the last statistics window (librdkafka rtt.avg).");
        _meter.CreateObservableGauge(
            BrokerRequestsWaiting, () => ObserveBrokers(b => b.Waiting), unit: "{request}",
            description: "Requests queued for a broker and not yet sent (librdkafka outbuf_cnt).");
        _meter.CreateObservableGauge(
            BrokerRequestsInFlight, () => ObserveBrokers(b => b.InFlight), unit: "{request}",
            description: "Requests sent to a broker and awaiting its response (librdkafka waitresp_cnt).");
        _meter.CreateObservableCounter(
            BrokerErrors, ObserveErrors, unit: "{error}",
            description: "Errors talking to a broker since the client started, by kind: transmit, receive or request_timeout.");
        _meter.CreateObservableGauge(
            ProducerQueuedMessages, ObserveQueued, unit: "{message}",
            description: "Messages in a producer's queue, waiting to be sent or acknowledged (librdkafka msg_cnt).");
        _meter.CreateObservableGauge(
            ConsumerPartitions, ObservePartitions, unit: "{partition}",
            description: "A consumer's assigned partitions by fetch state (active is fetching; anything else is not).");
    }

    /// <summary>
    /// Keeps one statistics JSON reading of a client (the argument of Confluent.Kafka's statistics handler).
    /// A reading that cannot be parsed is ignored: statistics are advisory and must never disturb the client.
    /// </summary>
    /// <param name="json">The statistics JSON.</param>
    /// <param name="interval">The client's <c>statistics.interval.ms</c>, which says when its reading is stale.</param>
    public void Record(string json, TimeSpan interval)
    {
        ClientReading? reading;
        try
        {
            reading = ClientReading.Parse(json, _timeProvider.GetTimestamp(), interval);
        }
        catch (JsonException)
        {
            return;
        }

        if (reading is null)
        {
            return;
        }

        lock (_gate)
        {
            _latest[reading.Name] = reading;
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private List<ClientReading> Current()
    {
        var now = _timeProvider.GetTimestamp();
        lock (_gate)
        {
            foreach (var stale in _latest.Values.Where(r => _timeProvider.GetElapsedTime(r.ReadAt, now) > 3 * r.Interval).ToList())
            {
                _latest.Remove(stale.Name);
            }

            return [.. _latest.Values];
        }
    }

    private IEnumerable<Measurement<double>> ObserveBrokers(Func<BrokerReading, double> value) =>
        Current().SelectMany(client => client.Brokers.Select(broker => new Measurement<double>(value(broker), BrokerTags(client, broker))));

    private IEnumerable<Measurement<long>> ObserveErrors() =>
        Current().SelectMany(client => client.Brokers.SelectMany(broker => new[]
        {
            new Measurement<long>(broker.TransmitErrors, [.. BrokerTags(client, broker), new(Attributes.ClientErrorKind, "transmit")]),
            new Measurement<long>(broker.ReceiveErrors, [.. BrokerTags(client, broker), new(Attributes.ClientErrorKind, "receive")]),
            new Measurement<long>(broker.RequestTimeouts, [.. BrokerTags(client, broker), new(Attributes.ClientErrorKind, "request_timeout")]),
        }));

    private IEnumerable<Measurement<long>> ObserveQueued() =>
        Current().Where(client => client.Type == "producer")
            .Select(client => new Measurement<long>(client.QueuedMessages, ClientTags(client)));

    private IEnumerable<Measurement<long>> ObservePartitions() =>
        Current().SelectMany(client => client.Partitions
            .GroupBy(p => (p.Topic, p.FetchState))
            .Select(g => new Measurement<long>(
                g.Count(),
                [.. ClientTags(client), new(Attributes.DestinationName, g.Key.Topic), new(Attributes.FetchState, g.Key.FetchState)])));

    private static KeyValuePair<string, object?>[] ClientTags(ClientReading client) =>
        [new(Attributes.ClientName, client.Name), new(Attributes.ClientType, client.Type)];

    private static KeyValuePair<string, object?>[] BrokerTags(ClientReading client, BrokerReading broker) =>
        [.. ClientTags(client), new(Attributes.ServerAddress, broker.Host), new(Attributes.ServerPort, broker.Port), new(Attributes.BrokerId, broker.NodeId)];

    /// <summary>What one statistics reading says about one broker connection.</summary>
    internal sealed record BrokerReading(
        int NodeId, string Host, int Port, double RoundTripSeconds, long Waiting, long InFlight, long TransmitErrors, long ReceiveErrors, long RequestTimeouts);

    /// <summary>One consumer partition's fetch state.</summary>
    internal sealed record PartitionReading(string Topic, int Partition, string FetchState);

    /// <summary>The parts of one client's statistics JSON the instruments report.</summary>
    internal sealed record ClientReading(
        string Name, string Type, long ReadAt, TimeSpan Interval, long QueuedMessages, IReadOnlyList<BrokerReading> Brokers, IReadOnlyList<PartitionReading> Partitions)
    {
        /// <summary>
        /// Reads the fields librdkafka documents in STATISTICS.md: top-level <c>name</c>, <c>type</c>, <c>msg_cnt</c>;
        /// <c>brokers.*</c> (learned brokers only: bootstrap entries have node id -1) with <c>rtt.avg</c> in µs,
        /// <c>outbuf_cnt</c>, <c>waitresp_cnt</c>, <c>txerrs</c>, <c>rxerrs</c>, <c>req_timeouts</c>; and for consumers
        /// <c>topics.*.partitions.*</c> with <c>fetch_state</c> (partition -1 is librdkafka's internal UA partition).
        /// </summary>
        public static ClientReading? Parse(string json, long readAt, TimeSpan interval)
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("name", out var name) || name.GetString() is not { } clientName)
            {
                return null;
            }

            var type = root.TryGetProperty("type", out var typeElement) ? typeElement.GetString() ?? "unknown" : "unknown";
            var brokers = new List<BrokerReading>();
            if (root.TryGetProperty("brokers", out var brokersElement) && brokersElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in brokersElement.EnumerateObject())
                {
                    var broker = entry.Value;
                    var nodeId = Int(broker, "nodeid");
                    if (nodeId < 0)
                    {
                        continue;
                    }

                    var nodeName = broker.TryGetProperty("nodename", out var nodeNameElement) ? nodeNameElement.GetString() ?? string.Empty : string.Empty;
                    var colon = nodeName.LastIndexOf(':');
                    var host = colon > 0 ? nodeName[..colon] : nodeName;
                    var port = colon > 0 && int.TryParse(nodeName.AsSpan(colon + 1), out var parsedPort) ? parsedPort : 0;
                    var roundTrip = broker.TryGetProperty("rtt", out var rtt) ? Long(rtt, "avg") / 1_000_000.0 : 0;
                    brokers.Add(new BrokerReading(
                        (int)nodeId, host, port, roundTrip, Long(broker, "outbuf_cnt"), Long(broker, "waitresp_cnt"),
                        Long(broker, "txerrs"), Long(broker, "rxerrs"), Long(broker, "req_timeouts")));
                }
            }

            var partitions = new List<PartitionReading>();
            if (type == "consumer" && root.TryGetProperty("topics", out var topics) && topics.ValueKind == JsonValueKind.Object)
            {
                foreach (var topic in topics.EnumerateObject())
                {
                    if (!topic.Value.TryGetProperty("partitions", out var topicPartitions) || topicPartitions.ValueKind != JsonValueKind.Object)
                    {
                        continue;
                    }

                    foreach (var partition in topicPartitions.EnumerateObject())
                    {
                        var id = Int(partition.Value, "partition");
                        var state = partition.Value.TryGetProperty("fetch_state", out var fetchState) ? fetchState.GetString() : null;
                        // "none" is a partition the consumer knows from metadata but was not assigned.
                        if (id >= 0 && state is not null && state != "none")
                        {
                            partitions.Add(new PartitionReading(topic.Name, (int)id, state));
                        }
                    }
                }
            }

            return new ClientReading(clientName, type, readAt, interval, Long(root, "msg_cnt"), brokers, partitions);
        }

        private static long Long(JsonElement element, string property) =>
            element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : 0;

        private static long Int(JsonElement element, string property) =>
            element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number : -1;
    }
}
