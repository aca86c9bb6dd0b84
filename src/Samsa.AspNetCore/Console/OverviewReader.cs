using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Samsa.Configuration;
using Samsa.Provisioning;
using Samsa.Startup;

namespace Samsa.AspNetCore.Console;

/// <summary>
/// The console's overview: the cluster as the brokers describe it, the declared topics with what the start-up
/// provisioning found (drift), and the service's health checks with their last success and error.
/// </summary>
internal sealed class OverviewReader(
    ConsoleAdmin admin, IOptions<KafkaOptions> kafka, HealthCheckService health, TimeProvider timeProvider, KafkaReadinessGate? gate = null)
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);

    public async Task<ConsoleOverview> ReadAsync(CancellationToken cancellationToken)
    {
        var checks = await ReadHealthAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var cluster = await admin.Client.DescribeClusterAsync(new DescribeClusterOptions { RequestTimeout = RequestTimeout }).ConfigureAwait(false);
            var metadata = admin.Client.GetMetadata(RequestTimeout);
            return new ConsoleOverview(
                new ConsoleCluster(
                    cluster.ClusterId,
                    cluster.Controller?.Id,
                    [.. cluster.Nodes.Select(n => new ConsoleBroker(n.Id, n.Host, n.Port, n.Rack))],
                    admin.SecurityProtocol,
                    admin.SaslMechanism),
                Topics(metadata),
                checks,
                timeProvider.GetUtcNow(),
                null);
        }
        catch (Exception exception) when (exception is KafkaException or TimeoutException)
        {
            return new ConsoleOverview(null, Topics(null), checks, timeProvider.GetUtcNow(), $"The cluster could not be read: {exception.Message}");
        }
    }

    private List<ConsoleTopic> Topics(Metadata? metadata)
    {
        var report = gate?.LastReport;
        var topics = new List<ConsoleTopic>();
        foreach (var declared in ResolvedTopic.All(kafka.Value))
        {
            var found = metadata?.Topics.FirstOrDefault(t => t.Topic == declared.Name && t.Error.Code == ErrorCode.NoError);
            var provisioning = report?.Topics.FirstOrDefault(t => t.Topic == declared.Name);
            topics.Add(new ConsoleTopic(
                declared.Name,
                declared.PartitionsDeclared ? declared.Partitions : null,
                declared.ReplicationFactor,
                found?.Partitions.Count,
                found is { Partitions.Count: > 0 } ? found.Partitions.Min(p => p.Replicas.Length) : null,
                provisioning?.Outcome.ToString(),
                [.. provisioning?.Findings.Select(f => $"{f.Severity}: {f.Message}") ?? []]));
        }

        return topics;
    }

    private async Task<List<ConsoleHealthCheck>> ReadHealthAsync(CancellationToken cancellationToken)
    {
        var report = await health.CheckHealthAsync(cancellationToken).ConfigureAwait(false);
        return [.. report.Entries.Select(entry => new ConsoleHealthCheck(
            entry.Key,
            entry.Value.Status.ToString(),
            entry.Value.Description,
            Text(entry.Value.Data, "lastSuccess"),
            Text(entry.Value.Data, "lastError") ?? entry.Value.Exception?.Message,
            Text(entry.Value.Data, "lastErrorAt")))];
    }

    private static string? Text(IReadOnlyDictionary<string, object> data, string key) =>
        data.TryGetValue(key, out var value) && value is string { Length: > 0 } text ? text : null;
}

/// <summary>The overview page's data.</summary>
internal sealed record ConsoleOverview(ConsoleCluster? Cluster, IReadOnlyList<ConsoleTopic> Topics, IReadOnlyList<ConsoleHealthCheck> Health, DateTimeOffset At, string? Error);

/// <summary>The cluster: its id, controller, brokers and how the service talks to them.</summary>
internal sealed record ConsoleCluster(string? ClusterId, int? ControllerId, IReadOnlyList<ConsoleBroker> Brokers, string SecurityProtocol, string? SaslMechanism);

/// <summary>One broker.</summary>
internal sealed record ConsoleBroker(int Id, string Host, int Port, string? Rack);

/// <summary>A declared topic: declared and actual partitions and replication, and what provisioning found.</summary>
internal sealed record ConsoleTopic(
    string Name, int? DeclaredPartitions, short DeclaredReplicationFactor, int? Partitions, int? ReplicationFactor, string? Provisioning, IReadOnlyList<string> Findings);

/// <summary>One health check with its history.</summary>
internal sealed record ConsoleHealthCheck(string Name, string Status, string? Description, string? LastSuccess, string? LastError, string? LastErrorAt);
