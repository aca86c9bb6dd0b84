using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Samsa.DependencyInjection;
using Samsa.Startup;

namespace Samsa.Health;

/// <summary>
/// Broker connectivity (<see cref="Diagnostics.SamsaNames.BrokerHealthCheck"/>, tagged
/// <see cref="Diagnostics.SamsaNames.ReadyTag"/>): one metadata request, bounded by
/// <see cref="SamsaKafkaSettings.HealthCheckTimeout"/>, through an admin client kept for the checks. Healthy with
/// the broker count and the controller; otherwise the registration's failure status (Unhealthy) with the error and
/// the last error librdkafka reported. It never throws.
/// </summary>
internal sealed class KafkaHealthCheck : IHealthCheck, IDisposable
{
    private readonly IKafkaAdminClientFactory _adminClients;
    private readonly IOptions<SamsaKafkaSettings> _settings;
    private readonly TimeProvider _timeProvider;
    private readonly Lock _gate = new();
    private IAdminClient? _admin;
    private Error? _lastError;
    private bool _disposed;

    /// <summary>Creates the check; its admin client is built on the first run.</summary>
    public KafkaHealthCheck(IKafkaAdminClientFactory adminClients, IOptions<SamsaKafkaSettings> settings, TimeProvider timeProvider)
    {
        _adminClients = adminClients;
        _settings = settings;
        _timeProvider = timeProvider;
    }

    /// <inheritdoc />
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var failureStatus = context?.Registration?.FailureStatus ?? HealthStatus.Unhealthy;
        TimeSpan timeout;
        try
        {
            timeout = _settings.Value.HealthCheckTimeout;
        }
        catch (Exception exception)
        {
            return new HealthCheckResult(failureStatus, $"The Kafka settings are invalid: {exception.Message}", exception);
        }

        using var step = new StepTimeout(timeout, _timeProvider, cancellationToken);
        try
        {
            var admin = Admin();
            var cluster = await admin.DescribeClusterAsync(new DescribeClusterOptions { RequestTimeout = timeout })
                .WaitAsync(step.Token).ConfigureAwait(false);
            var controller = cluster.Controller?.Id ?? -1;
            var data = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                ["brokers"] = cluster.Nodes.Count,
                ["controller"] = controller,
                ["clusterId"] = cluster.ClusterId ?? string.Empty,
                ["nodes"] = string.Join(",", cluster.Nodes.OrderBy(n => n.Id).Select(n => $"{n.Id}@{n.Host}:{n.Port}")),
            };
            if (cluster.Nodes.Count == 0)
            {
                return new HealthCheckResult(failureStatus, "The cluster answered with no brokers.", null, data);
            }

            var shownController = controller < 0 ? "unknown" : controller.ToString(CultureInfo.InvariantCulture);
            return HealthCheckResult.Healthy($"{cluster.Nodes.Count} broker(s), controller {shownController}", data);
        }
        catch (Exception exception)
        {
            var description = exception switch
            {
                OperationCanceledException when step.TimedOut =>
                    $"The cluster did not answer a metadata request within {timeout.TotalSeconds:0.###} s.",
                OperationCanceledException => "The check was cancelled.",
                KafkaException kafka => $"A metadata request failed: {kafka.Error.Code}: {kafka.Error.Reason}",
                _ => $"The Kafka check failed: {exception.Message}",
            };
            var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["error"] = exception.Message };
            if (Volatile.Read(ref _lastError) is { } last)
            {
                data["lastClientError"] = $"{last.Code}: {last.Reason}";
                description += $" Last client error: {last.Code}: {last.Reason}";
            }

            return new HealthCheckResult(failureStatus, description, exception, data);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        IAdminClient? admin;
        lock (_gate)
        {
            _disposed = true;
            admin = _admin;
            _admin = null;
        }

        admin?.Dispose();
    }

    private IAdminClient Admin()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _admin ??= _adminClients.CreateAdminClient(error => Volatile.Write(ref _lastError, error));
        }
    }
}
