using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Configuration;
using Samsa.Diagnostics;

namespace Samsa.Provisioning;

/// <summary>
/// Makes the cluster hold the declared topics (<see cref="KafkaOptions.Topics"/>): creates the missing ones with
/// their settings, checks the existing ones (partitions, replication, <c>min.insync.replicas</c>, cleanup policy,
/// retention, other configs), adds partitions when there are fewer than declared and that is allowed, and reports
/// the rest as drift, an error or a warning as <see cref="ProvisioningOptions.DriftPolicy"/> says. It never deletes a
/// topic, removes a partition, or changes a config or a replica assignment.
/// </summary>
/// <remarks>
/// With <c>acks=all</c> it also checks what makes such writes fail: <c>min.insync.replicas</c> above the replication
/// factor, and partitions with fewer in-sync replicas than that, or no leader. Those are errors whatever the policy.
/// </remarks>
internal sealed class TopicProvisioner
{
    private readonly ILogger _logger;

    /// <summary>Creates a provisioner that logs what it does to <paramref name="logger"/>.</summary>
    public TopicProvisioner(ILogger<TopicProvisioner>? logger = null)
    {
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>Provisions every declared topic of <paramref name="options"/>.</summary>
    /// <param name="admin">A connected admin client.</param>
    /// <param name="options">Validated options: the topics, <see cref="KafkaOptions.Provisioning"/>, the profile and the producer's acks.</param>
    /// <param name="requestTimeout">The time limit of each admin request.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>One result per topic; <see cref="ProvisioningReport.HasErrors"/> says whether start-up must fail.</returns>
    /// <exception cref="KafkaException">A request to the cluster as a whole failed (it could not be reached).</exception>
    public async Task<ProvisioningReport> ProvisionAsync(
        IAdminClient admin, KafkaOptions options, TimeSpan requestTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(admin);
        ArgumentNullException.ThrowIfNull(options);
        var topics = ResolvedTopic.All(options);
        if (topics.Count == 0)
        {
            return new ProvisioningReport([]);
        }

        topics = await UndeclaredSourceTopics.FollowAsync(admin, topics, requestTimeout, cancellationToken).ConfigureAwait(false);

        var run = new Run(admin, options, requestTimeout, _logger, cancellationToken);
        var cluster = await admin.DescribeClusterAsync(new DescribeClusterOptions { RequestTimeout = requestTimeout })
            .WaitAsync(cancellationToken).ConfigureAwait(false);
        var described = await run.DescribeAsync(topics).ConfigureAwait(false);

        var existing = topics.Where(t => described[t.Name] is not null).ToList();
        var missing = topics.Where(t => described[t.Name] is null && !run.HasFailed(t.Name)).ToList();
        var raced = await run.CreateAsync(missing, cluster.Nodes).ConfigureAwait(false);
        if (raced.Count > 0)
        {
            // Another instance created them between our describe and create: check them like any existing topic.
            foreach (var (name, description) in await run.DescribeAsync(raced).ConfigureAwait(false))
            {
                described[name] = description;
            }

            existing.AddRange(raced.Where(t => described[t.Name] is not null));
        }

        await run.VerifyAsync(existing, described).ConfigureAwait(false);
        var results = topics.Select(run.Result).ToList();
        return new ProvisioningReport(results);
    }

    /// <summary>The state of one provisioning run.</summary>
    private sealed class Run(IAdminClient admin, KafkaOptions options, TimeSpan timeout, ILogger logger, CancellationToken cancellationToken)
    {
        private readonly Dictionary<string, List<ProvisioningFinding>> _findings = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (TopicProvisioningOutcome Outcome, int Partitions, int Replication)> _outcomes = new(StringComparer.Ordinal);
        private readonly ProvisioningSeverity _drift = options.Provisioning.DriftPolicy == TopicDriftPolicy.Warn ? ProvisioningSeverity.Warning : ProvisioningSeverity.Error;
        private readonly bool _acksAll = KafkaValueResolver.Resolve(options, KafkaSettingCatalog.Acks, KafkaClientKinds.Producer).Value is not Acks acks || acks == Acks.All;

        public bool HasFailed(string topic) => _outcomes.TryGetValue(topic, out var outcome) && outcome.Outcome == TopicProvisioningOutcome.Failed;

        public TopicProvisioningResult Result(ResolvedTopic topic)
        {
            var (outcome, partitions, replication) = _outcomes.TryGetValue(topic.Name, out var known) ? known : (TopicProvisioningOutcome.Missing, 0, 0);
            return new TopicProvisioningResult(topic.Name, outcome, partitions, replication, _findings.TryGetValue(topic.Name, out var list) ? list : []);
        }

        /// <summary>Describes the topics: a description, or null when the topic does not exist (other errors are recorded).</summary>
        public async Task<Dictionary<string, TopicDescription?>> DescribeAsync(IReadOnlyList<ResolvedTopic> topics)
        {
            List<TopicDescription> descriptions;
            try
            {
                var result = await admin.DescribeTopicsAsync(
                    TopicCollection.OfTopicNames(topics.Select(t => t.Name)),
                    new DescribeTopicsOptions { RequestTimeout = timeout }).WaitAsync(cancellationToken).ConfigureAwait(false);
                descriptions = result.TopicDescriptions;
            }
            catch (DescribeTopicsException exception)
            {
                descriptions = exception.Results.TopicDescriptions;
            }

            var byName = new Dictionary<string, TopicDescription?>(StringComparer.Ordinal);
            foreach (var topic in topics)
            {
                var description = descriptions.FirstOrDefault(d => d.Name == topic.Name);
                var code = description?.Error?.Code ?? ErrorCode.UnknownTopicOrPart;
                byName[topic.Name] = code == ErrorCode.NoError ? description : null;
                if (code is not (ErrorCode.NoError or ErrorCode.UnknownTopicOrPart))
                {
                    var hint = code == ErrorCode.TopicAuthorizationFailed
                        ? " Grant the service's user Describe and Create on the topic."
                        : string.Empty;
                    Add(topic, ProvisioningSeverity.Error, "topic", $"cannot be described: {Describe(description!.Error)}.{hint}");
                    _outcomes[topic.Name] = (TopicProvisioningOutcome.Failed, 0, 0);
                }
            }

            return byName;
        }

        /// <summary>Creates the missing topics; returns those that turned out to exist already.</summary>
        public async Task<List<ResolvedTopic>> CreateAsync(IReadOnlyList<ResolvedTopic> missing, IReadOnlyList<Node> brokers)
        {
            if (missing.Count == 0)
            {
                return [];
            }

            if (!options.Provisioning.CreateMissingTopics)
            {
                foreach (var topic in missing)
                {
                    Add(topic, ProvisioningSeverity.Error, "topic",
                        $"does not exist, and `{KafkaDefaults.SectionName}:{TopicDeclarationBinder.ProvisioningKey}:{nameof(ProvisioningOptions.CreateMissingTopics)}` is false. " +
                        $"Create it ({topic.Describe()}), or set that to true.");
                    _outcomes[topic.Name] = (TopicProvisioningOutcome.Missing, 0, 0);
                }

                return [];
            }

            var creatable = new List<ResolvedTopic>();
            foreach (var topic in missing)
            {
                if (topic.ReplicationFactor > brokers.Count)
                {
                    Add(topic, ProvisioningSeverity.Error, "replication.factor",
                        $"cannot be created: replication factor {topic.ReplicationFactor} needs {topic.ReplicationFactor} brokers, and the cluster has " +
                        $"{brokers.Count} ({ShowBrokers(brokers)}). Set `{topic.Key(nameof(TopicDeclaration.ReplicationFactor))}` to at most {brokers.Count} " +
                        "(and MinInsyncReplicas no higher), use the Development profile for a one-broker cluster, or add brokers.");
                    _outcomes[topic.Name] = (TopicProvisioningOutcome.Missing, 0, 0);
                }
                else
                {
                    creatable.Add(topic);
                }
            }

            if (creatable.Count == 0)
            {
                return [];
            }

            var specifications = creatable.Select(topic => new TopicSpecification
            {
                Name = topic.Name,
                NumPartitions = topic.Partitions,
                ReplicationFactor = topic.ReplicationFactor,
                Configs = topic.CreationConfigs(),
            }).ToList();

            List<CreateTopicReport> reports;
            try
            {
                await admin.CreateTopicsAsync(specifications, new CreateTopicsOptions { RequestTimeout = timeout })
                    .WaitAsync(cancellationToken).ConfigureAwait(false);
                reports = creatable.Select(topic => new CreateTopicReport { Topic = topic.Name, Error = new Error(ErrorCode.NoError) }).ToList();
            }
            catch (CreateTopicsException exception)
            {
                reports = exception.Results;
            }

            var raced = new List<ResolvedTopic>();
            foreach (var topic in creatable)
            {
                var error = reports.FirstOrDefault(r => r.Topic == topic.Name)?.Error ?? new Error(ErrorCode.Unknown, "no result for this topic");
                switch (error.Code)
                {
                    case ErrorCode.NoError:
                        if (logger.IsEnabled(LogLevel.Information))
                        {
                            var settings = topic.Describe();
                            Log.TopicCreated(logger, topic.Name, settings);
                        }

                        _outcomes[topic.Name] = (TopicProvisioningOutcome.Created, topic.Partitions, topic.ReplicationFactor);
                        break;
                    case ErrorCode.TopicAlreadyExists:
                        raced.Add(topic);
                        break;
                    default:
                        var hint = error.Code switch
                        {
                            ErrorCode.InvalidReplicationFactor =>
                                $" The cluster has {brokers.Count} broker(s) ({ShowBrokers(brokers)}): lower `{topic.Key(nameof(TopicDeclaration.ReplicationFactor))}` or add brokers.",
                            ErrorCode.InvalidConfig or ErrorCode.PolicyViolation =>
                                $" Fix the topic's settings (`{topic.Key(nameof(TopicDeclaration.Configs))}` and the typed settings).",
                            ErrorCode.TopicAuthorizationFailed or ErrorCode.ClusterAuthorizationFailed =>
                                " Grant the service's user Create on the topic (or the cluster), or create the topic beforehand.",
                            _ => string.Empty,
                        };
                        Add(topic, ProvisioningSeverity.Error, "topic", $"could not be created ({topic.Describe()}): {Describe(error)}.{hint}");
                        _outcomes[topic.Name] = (TopicProvisioningOutcome.Missing, 0, 0);
                        break;
                }
            }

            return raced;
        }

        /// <summary>Checks existing topics against their declarations, adding partitions where allowed.</summary>
        public async Task VerifyAsync(IReadOnlyList<ResolvedTopic> topics, Dictionary<string, TopicDescription?> described)
        {
            if (topics.Count == 0)
            {
                return;
            }

            var configs = await DescribeConfigsAsync(topics).ConfigureAwait(false);
            var grow = new List<(ResolvedTopic Topic, int From)>();
            foreach (var topic in topics)
            {
                var description = described[topic.Name]!;
                var partitions = description.Partitions.Count;
                var replication = description.Partitions.Count == 0 ? 0 : description.Partitions.Min(p => p.Replicas.Count);
                _outcomes[topic.Name] = (TopicProvisioningOutcome.Verified, partitions, replication);

                if (partitions < topic.Partitions)
                {
                    if (options.Provisioning.AllowAddPartitions)
                    {
                        grow.Add((topic, partitions));
                    }
                    else
                    {
                        Add(topic, _drift, "partitions",
                            $"has {partitions} partition(s), fewer than the {topic.Partitions} declared. Partitions are never removed; to add " +
                            $"{topic.Partitions - partitions}, set `{KafkaDefaults.SectionName}:{TopicDeclarationBinder.ProvisioningKey}:{nameof(ProvisioningOptions.AllowAddPartitions)}` " +
                            $"to true (keys then map to other partitions), or declare {partitions} (`{topic.Key(nameof(TopicDeclaration.Partitions))}`).");
                    }
                }
                else if (partitions > topic.Partitions)
                {
                    Add(topic, ProvisioningSeverity.Warning, "partitions",
                        $"has {partitions} partition(s), more than the {topic.Partitions} declared; partitions are never removed. " +
                        $"Declare {partitions} (`{topic.Key(nameof(TopicDeclaration.Partitions))}`).");
                }

                if (replication < topic.ReplicationFactor)
                {
                    Add(topic, _drift, "replication.factor",
                        $"has replication factor {replication}, lower than the {topic.ReplicationFactor} declared, so fewer broker failures lose data. " +
                        "Samsa does not move replicas: raise it with kafka-reassign-partitions, or declare " +
                        $"{replication} (`{topic.Key(nameof(TopicDeclaration.ReplicationFactor))}`).");
                }

                if (configs.TryGetValue(topic.Name, out var entries))
                {
                    VerifyConfigs(topic, entries, replication);
                }

                if (_acksAll)
                {
                    VerifyInsync(topic, description, entries);
                }
            }

            await AddPartitionsAsync(grow).ConfigureAwait(false);
            foreach (var topic in topics)
            {
                var (outcome, partitions, replication) = _outcomes[topic.Name];
                if (outcome == TopicProvisioningOutcome.Verified && !(_findings.TryGetValue(topic.Name, out var list) && list.Count > 0))
                {
                    Log.TopicVerified(logger, topic.Name, partitions, replication);
                }
            }
        }

        private async Task<Dictionary<string, Dictionary<string, ConfigEntryResult>>> DescribeConfigsAsync(IReadOnlyList<ResolvedTopic> topics)
        {
            var resources = topics.Select(t => new ConfigResource { Type = ResourceType.Topic, Name = t.Name }).ToList();
            List<DescribeConfigsReport> reports;
            try
            {
                var results = await admin.DescribeConfigsAsync(resources, new DescribeConfigsOptions { RequestTimeout = timeout })
                    .WaitAsync(cancellationToken).ConfigureAwait(false);
                reports = results.Select(r => new DescribeConfigsReport { ConfigResource = r.ConfigResource, Entries = r.Entries, Error = new Error(ErrorCode.NoError) }).ToList();
            }
            catch (DescribeConfigsException exception)
            {
                reports = exception.Results;
            }

            var byTopic = new Dictionary<string, Dictionary<string, ConfigEntryResult>>(StringComparer.Ordinal);
            foreach (var topic in topics)
            {
                var report = reports.FirstOrDefault(r => r.ConfigResource.Name == topic.Name);
                if (report is null || report.Error.Code != ErrorCode.NoError)
                {
                    var why = report is null ? "no result for this topic" : Describe(report.Error);
                    Add(topic, ProvisioningSeverity.Error, "topic", $"configs cannot be described: {why}. Grant the service's user DescribeConfigs on the topic.");
                    continue;
                }

                byTopic[topic.Name] = report.Entries;
            }

            return byTopic;
        }

        private void VerifyConfigs(ResolvedTopic topic, Dictionary<string, ConfigEntryResult> entries, int replication)
        {
            var insync = Value(entries, TopicConfigNames.MinInsyncReplicas);
            if (int.TryParse(insync, NumberStyles.Integer, CultureInfo.InvariantCulture, out var actualInsync))
            {
                if (actualInsync < topic.MinInsyncReplicas)
                {
                    Add(topic, _drift, TopicConfigNames.MinInsyncReplicas,
                        $"has min.insync.replicas {actualInsync}{SourceOf(entries, TopicConfigNames.MinInsyncReplicas)}, lower than the {topic.MinInsyncReplicas} declared, " +
                        $"so an acks=all write counts with fewer copies. Samsa does not change topic configs: set it with kafka-configs " +
                        $"(--alter --add-config min.insync.replicas={topic.MinInsyncReplicas}), or declare {actualInsync} (`{topic.Key(nameof(TopicDeclaration.MinInsyncReplicas))}`).");
                }

                if (_acksAll && replication > 0 && actualInsync > replication)
                {
                    Add(topic, ProvisioningSeverity.Error, TopicConfigNames.MinInsyncReplicas,
                        $"has min.insync.replicas {actualInsync}, above its replication factor {replication}: every acks=all write fails with NOT_ENOUGH_REPLICAS. " +
                        $"Lower min.insync.replicas to at most {replication} with kafka-configs, or add replicas.");
                }
            }

            if (topic.CleanupPolicy is { } cleanup)
            {
                var actual = Value(entries, TopicConfigNames.CleanupPolicy);
                if (!TopicCleanupPolicies.TryParse(actual, out var actualPolicy) || actualPolicy != cleanup)
                {
                    ConfigDrift(topic, TopicConfigNames.CleanupPolicy, actual, TopicCleanupPolicies.Spell(cleanup), nameof(TopicDeclaration.CleanupPolicy));
                }
            }

            if (topic.RetentionMs is { } retention)
            {
                var actual = Value(entries, TopicConfigNames.RetentionMs);
                if (!long.TryParse(actual, NumberStyles.Integer, CultureInfo.InvariantCulture, out var actualRetention) || actualRetention != retention)
                {
                    ConfigDrift(topic, TopicConfigNames.RetentionMs, actual, retention.ToString(CultureInfo.InvariantCulture), nameof(TopicDeclaration.RetentionMs));
                }
            }

            foreach (var (name, expected) in topic.OtherConfigs)
            {
                var actual = Value(entries, name);
                if (!string.Equals(actual?.Trim(), expected.Trim(), StringComparison.Ordinal))
                {
                    ConfigDrift(topic, name, actual, expected, $"{nameof(TopicDeclaration.Configs)}:{name}");
                }
            }
        }

        private void ConfigDrift(ResolvedTopic topic, string name, string? actual, string expected, string property) =>
            Add(topic, _drift, name,
                $"has {name} {(actual is null ? "unset" : $"`{actual}`")}, but `{expected}` is declared. Samsa does not change topic configs: " +
                $"set it with kafka-configs (--alter --add-config {name}={expected}), or change `{topic.Key(property)}`.");

        private void VerifyInsync(ResolvedTopic topic, TopicDescription description, Dictionary<string, ConfigEntryResult>? entries)
        {
            var leaderless = description.Partitions.Where(p => p.Leader is null || p.Leader.Id < 0).Select(p => p.Partition).ToList();
            if (leaderless.Count > 0)
            {
                Add(topic, ProvisioningSeverity.Error, "partitions",
                    $"has partition(s) {string.Join(", ", leaderless)} without a leader: writes to them fail until one of their replicas' brokers is back.");
            }

            var required = entries is not null && int.TryParse(Value(entries, TopicConfigNames.MinInsyncReplicas), NumberStyles.Integer, CultureInfo.InvariantCulture, out var m)
                ? m
                : topic.MinInsyncReplicas;
            var short_ = description.Partitions
                .Where(p => p.Leader is { Id: >= 0 } && p.ISR.Count < required)
                .Select(p => $"{p.Partition} ({p.ISR.Count} in sync)")
                .ToList();
            if (short_.Count > 0)
            {
                Add(topic, ProvisioningSeverity.Error, TopicConfigNames.MinInsyncReplicas,
                    $"has partition(s) {string.Join(", ", short_)} with fewer in-sync replicas than its min.insync.replicas {required}: " +
                    "acks=all writes to them fail with NOT_ENOUGH_REPLICAS until their replicas catch up. Bring the brokers back.");
            }
        }

        private async Task AddPartitionsAsync(List<(ResolvedTopic Topic, int From)> grow)
        {
            if (grow.Count == 0)
            {
                return;
            }

            List<CreatePartitionsReport> reports;
            try
            {
                await admin.CreatePartitionsAsync(
                    grow.Select(g => new PartitionsSpecification { Topic = g.Topic.Name, IncreaseTo = g.Topic.Partitions }),
                    new CreatePartitionsOptions { RequestTimeout = timeout }).WaitAsync(cancellationToken).ConfigureAwait(false);
                reports = grow.Select(g => new CreatePartitionsReport { Topic = g.Topic.Name, Error = new Error(ErrorCode.NoError) }).ToList();
            }
            catch (CreatePartitionsException exception)
            {
                reports = exception.Results;
            }

            foreach (var (topic, from) in grow)
            {
                var error = reports.FirstOrDefault(r => r.Topic == topic.Name)?.Error ?? new Error(ErrorCode.Unknown, "no result for this topic");
                if (error.Code == ErrorCode.NoError)
                {
                    Log.TopicPartitionsAdded(logger, topic.Name, from, topic.Partitions);
                    var (_, _, replication) = _outcomes[topic.Name];
                    _outcomes[topic.Name] = (TopicProvisioningOutcome.PartitionsAdded, topic.Partitions, replication);
                }
                else
                {
                    Add(topic, ProvisioningSeverity.Error, "partitions",
                        $"has {from} partition(s), fewer than the {topic.Partitions} declared, and adding them failed: {Describe(error)}.");
                }
            }
        }

        private void Add(ResolvedTopic topic, ProvisioningSeverity severity, string setting, string message)
        {
            var finding = new ProvisioningFinding(severity, topic.Name, setting, $"Topic `{topic.Name}` {message}");
            if (!_findings.TryGetValue(topic.Name, out var list))
            {
                list = [];
                _findings[topic.Name] = list;
            }

            list.Add(finding);
            if (severity == ProvisioningSeverity.Error)
            {
                Log.TopicProvisioningError(logger, topic.Name, finding.Message);
            }
            else
            {
                Log.TopicProvisioningWarning(logger, topic.Name, finding.Message);
            }
        }

        private static string? Value(Dictionary<string, ConfigEntryResult> entries, string name) =>
            entries.TryGetValue(name, out var entry) ? entry.Value : null;

        private static string SourceOf(Dictionary<string, ConfigEntryResult> entries, string name) =>
            entries.TryGetValue(name, out var entry) && entry.Source is ConfigSource.DefaultConfig or ConfigSource.StaticBrokerConfig or ConfigSource.DynamicDefaultBrokerConfig
                ? " (the broker default)"
                : string.Empty;

        private static string ShowBrokers(IReadOnlyList<Node> brokers) =>
            brokers.Count == 0 ? "none" : "ids " + string.Join(", ", brokers.Select(b => b.Id).Order());

        private static string Describe(Error error) =>
            $"{error.Code} ({(int)error.Code}): {error.Reason.TrimEnd('.', ' ')}";
    }
}
