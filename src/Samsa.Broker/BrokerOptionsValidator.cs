using System.Net;
using Samsa.Broker.Cluster;
using Samsa.Broker.Security;
using Samsa.Broker.Storage;

namespace Samsa.Broker;

/// <summary>Checks <see cref="BrokerOptions"/> before anything starts and reports every problem at once.</summary>
internal static class BrokerOptionsValidator
{
    /// <summary>Broker settings that have their own option rather than a topic config default, by Kafka name.</summary>
    private static readonly Dictionary<string, string> DedicatedOptions = new(StringComparer.Ordinal)
    {
        ["num.partitions"] = $"{nameof(BrokerOptions.DefaultPartitions)} (samsa broker start --default-partitions)",
        ["default.replication.factor"] = $"{nameof(BrokerOptions.DefaultReplicationFactor)} (samsa broker start --default-replication-factor)",
        ["auto.create.topics.enable"] = $"{nameof(BrokerOptions.AutoCreateTopics)} (samsa broker start --auto-create-topics)",
        ["offsets.topic.num.partitions"] = nameof(BrokerOptions.OffsetsTopicPartitions),
        ["offsets.topic.replication.factor"] = nameof(BrokerOptions.OffsetsTopicReplicationFactor),
        ["transaction.state.log.num.partitions"] = nameof(BrokerOptions.TransactionStateTopicPartitions),
        ["transaction.state.log.replication.factor"] = nameof(BrokerOptions.TransactionStateTopicReplicationFactor),
        ["socket.request.max.bytes"] = nameof(BrokerOptions.MaxRequestSize),
    };

    public static IReadOnlyList<string> Validate(BrokerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        if (options.NodeCount is < 1 or > BrokerDefaults.MaxNodeCount)
        {
            problems.Add($"NodeCount is {options.NodeCount}; it must be between 1 and {BrokerDefaults.MaxNodeCount}.");
        }

        if (options.Port < 0 || options.Port + Math.Max(1, options.NodeCount) - 1 > IPEndPoint.MaxPort)
        {
            problems.Add($"Port is {options.Port}; it must be 0 (pick free ports) or a port such that Port + NodeCount - 1 <= {IPEndPoint.MaxPort}.");
        }

        if (options.Host != "localhost" && !IPAddress.TryParse(options.Host, out _))
        {
            problems.Add($"Host '{options.Host}' is not an IP address (or 'localhost').");
        }

        if (options.MaxRequestSize < 1024)
        {
            problems.Add($"MaxRequestSize is {options.MaxRequestSize}; it must be at least 1024 bytes.");
        }

        if (options.DefaultPartitions < 1)
        {
            problems.Add($"DefaultPartitions is {options.DefaultPartitions}; it must be at least 1.");
        }

        if (options.DefaultReplicationFactor < 1)
        {
            problems.Add($"DefaultReplicationFactor is {options.DefaultReplicationFactor}; it must be at least 1.");
        }

        if (options.IdleConnectionTimeout <= TimeSpan.Zero)
        {
            problems.Add("IdleConnectionTimeout must be positive.");
        }

        if (options.OffsetsTopicPartitions < 1)
        {
            problems.Add($"OffsetsTopicPartitions is {options.OffsetsTopicPartitions}; it must be at least 1.");
        }

        if (options.OffsetsTopicReplicationFactor < 1)
        {
            problems.Add($"OffsetsTopicReplicationFactor is {options.OffsetsTopicReplicationFactor}; it must be at least 1.");
        }

        if (options.GroupMinSessionTimeout <= TimeSpan.Zero || options.GroupMaxSessionTimeout < options.GroupMinSessionTimeout)
        {
            problems.Add($"GroupMinSessionTimeout is {options.GroupMinSessionTimeout} and GroupMaxSessionTimeout is {options.GroupMaxSessionTimeout}; the minimum must be positive and not above the maximum.");
        }

        if (options.GroupInitialRebalanceDelay < TimeSpan.Zero)
        {
            problems.Add($"GroupInitialRebalanceDelay is {options.GroupInitialRebalanceDelay}; it cannot be negative.");
        }

        if (options.GroupMaxSize < 1)
        {
            problems.Add($"GroupMaxSize is {options.GroupMaxSize}; it must be at least 1.");
        }

        if (options.ConsumerGroupHeartbeatInterval <= TimeSpan.Zero || options.ConsumerGroupSessionTimeout <= options.ConsumerGroupHeartbeatInterval)
        {
            problems.Add($"ConsumerGroupHeartbeatInterval is {options.ConsumerGroupHeartbeatInterval} and ConsumerGroupSessionTimeout is {options.ConsumerGroupSessionTimeout}; the interval must be positive and below the session timeout.");
        }

        if (options.MaxIncrementalFetchSessionCacheSlots < 0)
        {
            problems.Add($"MaxIncrementalFetchSessionCacheSlots is {options.MaxIncrementalFetchSessionCacheSlots}; it cannot be negative.");
        }

        if (options.ConsumerGroupMaxSize < 1)
        {
            problems.Add($"ConsumerGroupMaxSize is {options.ConsumerGroupMaxSize}; it must be at least 1.");
        }

        if (options.ConsumerGroupAssignors.Count == 0 || options.ConsumerGroupAssignors.Any(a => !Groups.ConsumerAssignors.IsKnown(a)))
        {
            problems.Add($"ConsumerGroupAssignors is [{string.Join(", ", options.ConsumerGroupAssignors)}]; name at least one, each of {string.Join(", ", Groups.ConsumerAssignors.Names)}.");
        }

        if (options.OffsetMetadataMaxBytes < 0)
        {
            problems.Add($"OffsetMetadataMaxBytes is {options.OffsetMetadataMaxBytes}; it cannot be negative.");
        }

        if (options.OffsetsRetention <= TimeSpan.Zero || options.OffsetsRetentionCheckInterval <= TimeSpan.Zero)
        {
            problems.Add($"OffsetsRetention ({options.OffsetsRetention}) and OffsetsRetentionCheckInterval ({options.OffsetsRetentionCheckInterval}) must be positive.");
        }

        foreach (var (name, value) in options.TopicConfigDefaults)
        {
            var definition = TopicConfigDefinitions.All.FirstOrDefault(d => d.Name == name || d.BrokerSynonym == name);
            if (definition is null && DedicatedOptions.TryGetValue(name, out var option))
            {
                problems.Add($"'{name}' is not a topic config default; it is set with BrokerOptions.{option}.");
            }
            else if (definition is null)
            {
                var known = TopicConfigDefinitions.All.SelectMany(d => d.BrokerSynonym is null ? [d.Name] : new[] { d.Name, d.BrokerSynonym });
                var nearest = NearestName.Find(name, known);
                problems.Add($"'{name}' is not a topic config or broker default Samsa.Broker knows" + (nearest is null ? "." : $"; did you mean '{nearest}'?"));
            }
            else if (definition.Validate(value) is { } error)
            {
                problems.Add(error);
            }
        }

        foreach (var (name, partitions) in options.SeedTopics)
        {
            if (TopicNames.Validate(name) is { } error)
            {
                problems.Add($"Seed topic: {error}");
            }

            if (partitions < 1)
            {
                problems.Add($"Seed topic '{name}' has {partitions} partitions; it needs at least 1.");
            }
        }

        problems.AddRange(BrokerSecurityOptionsValidator.Validate(options.Security));
        return problems;
    }

    public static void ThrowIfInvalid(BrokerOptions options)
    {
        var problems = Validate(options);
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid Samsa.Broker options:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p)), nameof(options));
        }
    }
}
