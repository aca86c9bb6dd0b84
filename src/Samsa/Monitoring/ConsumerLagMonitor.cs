using System.Diagnostics.Metrics;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Samsa.Configuration;
using Samsa.Consuming;
using Samsa.DependencyInjection;
using Samsa.Diagnostics;
using static Samsa.Diagnostics.SamsaInstruments;

namespace Samsa.Monitoring;

/// <summary>
/// Reads consumer lag at the brokers every <see cref="LagMonitorOptions.Interval"/> (30 s): for the groups this
/// service consumes with and those in <see cref="LagMonitorOptions.Groups"/>, the committed offset against the log end
/// of every partition (<see cref="ConsumerLagReader"/>, the reader <c>samsa lag</c> uses), the age of the record at the
/// committed offset, and whether the partition is stuck. It owns the latest <see cref="LagReport"/>, which the
/// <c>samsa.consumer_group.*</c> gauges and the consumers' health checks read.
/// </summary>
internal sealed class ConsumerLagMonitor : BackgroundService
{
    private readonly IKafkaAdminClientFactory _adminClients;
    private readonly IOptions<KafkaOptions> _kafka;
    private readonly LagMonitorOptions _options;
    private readonly IReadOnlyList<string> _ownGroups;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Dictionary<(string Group, string Topic, int Partition), (long Committed, int Unmoved)> _progress = [];
    private volatile LagReport? _latest;
    private long _readings;

    public ConsumerLagMonitor(
        IKafkaAdminClientFactory adminClients,
        IOptions<KafkaOptions> kafka,
        IOptions<LagMonitorOptions> options,
        IEnumerable<string> ownGroups,
        TimeProvider timeProvider,
        ILogger<ConsumerLagMonitor> logger,
        IMeterFactory? meterFactory)
    {
        _adminClients = adminClients;
        _kafka = kafka;
        _options = options.Value;
        _ownGroups = [.. ownGroups];
        _timeProvider = timeProvider;
        _logger = logger;
        var meterOptions = new MeterOptions(SamsaNames.MeterName);
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(meterOptions) ?? new Meter(meterOptions);
        _meter.CreateObservableGauge(ConsumerGroupLag, () => Observe(p => p.Lag ?? 0), unit: "{record}", description: "Log-end offset minus committed offset, per group and partition, read at the brokers.");
        _meter.CreateObservableGauge(ConsumerGroupTimeLag, ObserveTimeLag, unit: "s", description: "Age of the record at the committed offset (0 when caught up), per group and partition.");
        _meter.CreateObservableGauge(ConsumerGroupStuck, () => Observe(p => p.Stuck ? 1 : 0), unit: "{partition}", description: "1 when the partition's group has lag and made no progress for the configured readings, or has no members.");
    }

    /// <summary>The latest reading; null before the first.</summary>
    public LagReport? Latest => _latest;

    /// <summary>Readings taken so far (for tests).</summary>
    public long Readings => Interlocked.Read(ref _readings);

    /// <summary>The options the thresholds come from.</summary>
    public LagMonitorOptions Options => _options;

    public override void Dispose()
    {
        base.Dispose();
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.Disabled)
        {
            return;
        }

        using var admin = _adminClients.CreateAdminClient();
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = _timeProvider.GetTimestamp();
            await ReadOnceAsync(admin, stoppingToken).ConfigureAwait(false);
            Interlocked.Increment(ref _readings);
            var wait = _options.Interval - _timeProvider.GetElapsedTime(started);
            try
            {
                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, _timeProvider, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task ReadOnceAsync(IAdminClient admin, CancellationToken cancellationToken)
    {
        var groups = _ownGroups.Concat(_options.Groups).Distinct(StringComparer.Ordinal).ToList();
        try
        {
            var read = await ConsumerLagReader.ReadAsync(admin, groups, _options.Timeout).ConfigureAwait(false);
            read = await ConsumerLagReader.AddTimestampsAsync(read, CreateConsumer, _options.Timeout, cancellationToken).ConfigureAwait(false);
            _latest = new LagReport(MarkStuck(read), _timeProvider.GetUtcNow(), null);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var previous = _latest;
            _latest = new LagReport(previous?.Groups ?? [], previous?.At ?? _timeProvider.GetUtcNow(), exception.Message);
            if (previous?.Error is null)
            {
                Log.LagReadFailed(_logger, exception, string.Join(",", groups));
            }
        }
    }

    private IConsumer<byte[]?, byte[]?> CreateConsumer()
    {
        var config = KafkaClientConfigFactory.CreateConsumerConfig(_kafka.Value);
        // Confluent.Kafka wants a group id; this consumer only assigns, and never joins, commits or subscribes.
        config.GroupId = "samsa-lag-monitor";
        config.EnableAutoCommit = false;
        config.EnablePartitionEof = false;
        return new ConsumerBuilder<byte[]?, byte[]?>(config).Build();
    }

    /// <summary>Marks partitions stuck: lag with the committed offset unmoved for <see cref="LagMonitorOptions.StuckIntervals"/> readings, or a group with lag and no members.</summary>
    private List<GroupLag> MarkStuck(List<GroupLag> groups)
    {
        var seen = new HashSet<(string, string, int)>();
        var result = groups.Select(group => group with
        {
            Partitions = [.. group.Partitions.Select(partition =>
            {
                var key = (group.Group, partition.Topic, partition.Partition);
                seen.Add(key);
                var committed = partition.Committed ?? -1;
                var unmoved = _progress.TryGetValue(key, out var before) && before.Committed == committed ? before.Unmoved + 1 : 0;
                _progress[key] = (committed, unmoved);
                var lagging = (partition.Lag ?? 0) > 0;
                return partition with { Stuck = lagging && (group.Members == 0 || unmoved >= _options.StuckIntervals) };
            })],
        }).ToList();
        foreach (var gone in _progress.Keys.Where(key => !seen.Contains(key)).ToList())
        {
            _progress.Remove(gone);
        }

        return result;
    }

    private IEnumerable<Measurement<long>> Observe(Func<PartitionLag, long> value)
    {
        var report = _latest;
        if (report is null)
        {
            yield break;
        }

        foreach (var group in report.Groups)
        {
            foreach (var partition in group.Partitions)
            {
                yield return new Measurement<long>(value(partition), Tags(group.Group, partition));
            }
        }
    }

    private IEnumerable<Measurement<double>> ObserveTimeLag()
    {
        var report = _latest;
        if (report is null)
        {
            yield break;
        }

        var now = _timeProvider.GetUtcNow();
        foreach (var group in report.Groups)
        {
            foreach (var partition in group.Partitions)
            {
                if (partition.TimeLag(now) is { } timeLag)
                {
                    yield return new Measurement<double>(timeLag.TotalSeconds, Tags(group.Group, partition));
                }
            }
        }
    }

    private static KeyValuePair<string, object?>[] Tags(string group, PartitionLag partition) =>
    [
        new(Attributes.ConsumerGroup, group),
        new(Attributes.DestinationName, partition.Topic),
        new(Attributes.PartitionId, PartitionIds.Of(partition.Partition)),
    ];
}
