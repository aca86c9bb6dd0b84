using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Samsa.DependencyInjection;

namespace Samsa.Health;

/// <summary>
/// Refreshes the health checks in the background, every <see cref="SamsaKafkaSettings.HealthCheckInterval"/> (30 s by
/// default), the first time as the host starts: it runs the broker check (<see cref="KafkaHealthCheck"/>, bounded by its
/// timeout) into <see cref="KafkaHealthCache"/>, then every Samsa check, so status changes are seen and logged even
/// when nobody asks. Time comes from the <see cref="TimeProvider"/>, so tests move it by hand.
/// </summary>
internal sealed class HealthRefreshService : BackgroundService
{
    private readonly IReadOnlyList<ClusterHealthProbe> _clusters;
    private readonly HealthCheckService _checks;
    private readonly IOptions<SamsaKafkaSettings> _settings;
    private readonly TimeProvider _timeProvider;
    private long _rounds;

    public HealthRefreshService(IEnumerable<ClusterHealthProbe> clusters, HealthCheckService checks, IOptions<SamsaKafkaSettings> settings, TimeProvider timeProvider)
    {
        _clusters = [.. clusters];
        _checks = checks;
        _settings = settings;
        _timeProvider = timeProvider;
    }

    /// <summary>Refresh rounds finished so far (for tests).</summary>
    public long Rounds => Interlocked.Read(ref _rounds);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = _settings.Value.HealthCheckInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = _timeProvider.GetTimestamp();
            await RefreshAsync(stoppingToken).ConfigureAwait(false);
            Interlocked.Increment(ref _rounds);

            // One interval from the start of this round, so a slow probe does not stretch the period.
            var wait = interval - _timeProvider.GetElapsedTime(started);
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

    /// <summary>One round: the broker probe, then every Samsa check through the history.</summary>
    internal async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            foreach (var cluster in _clusters)
            {
                var name = Configuration.KafkaClusterNames.HealthCheckName(Diagnostics.SamsaNames.BrokerHealthCheck, cluster.Cluster);
                var registration = new HealthCheckRegistration(name, cluster.Probe, HealthStatus.Unhealthy, null);
                cluster.Cache.Set(await cluster.Probe.CheckHealthAsync(new HealthCheckContext { Registration = registration }, cancellationToken).ConfigureAwait(false));
            }

            await _checks.CheckHealthAsync(registration => registration.Tags.Contains(TrackedHealthChecks.Tag), cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }
}
