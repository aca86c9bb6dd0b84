using Confluent.Kafka;
using Samsa.Configuration;
using Samsa.Native;

namespace Samsa.Cli.Readiness;

/// <summary>
/// <c>samsa check</c>: the settings, then the connection through the service's own start-up gate, then the brokers,
/// the topics and the permissions the service's consumers and publisher need. A later stage is skipped, and says why, when the stage it needs failed. Plain text in
/// Production is reported with the settings but does not stop the cluster stages: the operator still learns what
/// else is wrong.
/// </summary>
internal static class ProductionReadinessCheck
{
    /// <summary>Lets the cluster stages connect over plain text; <see cref="SettingsReadiness"/> has already failed it.</summary>
    public static readonly Action<KafkaOptions> AllowPlaintext = options => options.AllowPlaintextInProduction = true;

    /// <param name="issues">The validation problems of the settings as the service would bind them.</param>
    /// <param name="clusterOptions">The same settings with <see cref="AllowPlaintext"/>.</param>
    /// <param name="clusterIssues">Their validation problems.</param>
    public static async Task<List<ReadinessFinding>> RunAsync(
        IReadOnlyList<KafkaConfigurationIssue> issues,
        KafkaOptions clusterOptions,
        IReadOnlyList<KafkaConfigurationIssue> clusterIssues,
        IEnvironmentVariableSource variables,
        string environmentName,
        IReadOnlyList<string> topics,
        IReadOnlyList<ConsumerDeclaration> consumers,
        IReadOnlyList<string> publisherTopics,
        TimeSpan timeout,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        var findings = SettingsReadiness.Check(issues, clusterOptions, clusterIssues);
        if (clusterIssues.Any(issue => issue.Severity == KafkaConfigurationSeverity.Error))
        {
            findings.Add(ReadinessFinding.Skipped("connection", "start-up gate", "the settings are invalid; fix them first"));
            return findings;
        }

        try
        {
            LibrdkafkaLoader.EnsureLoaded();
        }
        catch (LibrdkafkaLoadException exception)
        {
            findings.Add(ReadinessFinding.Fail("connection", "native client", exception.Message));
            return findings;
        }

        var connection = await ConnectivityReadiness.CheckAsync(variables, environmentName, timeout, timeProvider, cancellationToken).ConfigureAwait(false);
        findings.Add(connection);
        if (connection.Status == ReadinessStatus.Fail)
        {
            findings.Add(ReadinessFinding.Skipped("brokers", "broker checks", "the cluster cannot be reached"));
            return findings;
        }

        // Silences librdkafka's raw stderr lines (%3|...|ERROR|...); failures surface as KafkaException.
        var adminConfig = KafkaClientConfigFactory.CreateAdminClientConfig(clusterOptions);
        using var admin = new AdminClientBuilder(adminConfig)
            .SetLogHandler((_, _) => { })
            .Build();
        try
        {
            findings.AddRange(await BrokerReadiness.CheckAsync(admin, timeout).ConfigureAwait(false));
            findings.AddRange(await TopicReadiness.CheckAsync(admin, topics, timeout).ConfigureAwait(false));
        }
        catch (KafkaException exception)
        {
            findings.Add(ReadinessFinding.Fail("brokers", "admin requests", $"the cluster answered the start-up gate but refused an admin request: {exception.Error.Reason} ({exception.Error.Code}); the client may lack DESCRIBE / DESCRIBE_CONFIGS ACLs"));
        }

        findings.AddRange(await AuthorizationReadiness.CheckAsync(admin, clusterOptions, adminConfig, consumers, publisherTopics, timeout, cancellationToken).ConfigureAwait(false));

        return findings;
    }
}
