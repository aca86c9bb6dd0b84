using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.Consuming;

namespace Samsa.Provisioning;

/// <summary>
/// Retry and dead-letter topics follow their source topic (<see cref="TopicDeclaration.SourceTopic"/>). A declared
/// source passes its settings on when the consumer registers; a source the service does not declare is read from the
/// cluster here, before anything is created or checked: its partition count replaces the profile default where the
/// partitions were left unset, and its retention becomes the least retention.
/// </summary>
/// <remarks>
/// A source that does not exist, or cannot be described, changes nothing: the declarations stand as they are.
/// </remarks>
internal static class UndeclaredSourceTopics
{
    public static async Task<IReadOnlyList<ResolvedTopic>> FollowAsync(
        IAdminClient admin, IReadOnlyList<ResolvedTopic> topics, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var declared = topics.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var sources = topics
            .Select(t => t.SourceTopic)
            .OfType<string>()
            .Where(source => !declared.Contains(source))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        if (sources.Count == 0)
        {
            return topics;
        }

        var found = await DescribeAsync(admin, sources, timeout, cancellationToken).ConfigureAwait(false);
        if (found.Count == 0)
        {
            return topics;
        }

        return [.. topics.Select(topic => topic.SourceTopic is { } source && found.TryGetValue(source, out var actual)
            ? topic with
            {
                Partitions = topic.PartitionsDeclared ? topic.Partitions : actual.Partitions,
                RetentionMs = ConsumerTopicDeclarations.AtLeast(topic.RetentionMs, actual.RetentionMs),
            }
            : topic)];
    }

    /// <summary>The partitions and retention of each source that exists.</summary>
    private static async Task<Dictionary<string, (int Partitions, long? RetentionMs)>> DescribeAsync(
        IAdminClient admin, List<string> sources, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, (int Partitions, long? RetentionMs)>(StringComparer.Ordinal);
        List<TopicDescription> descriptions;
        try
        {
            var result = await admin.DescribeTopicsAsync(TopicCollection.OfTopicNames(sources), new DescribeTopicsOptions { RequestTimeout = timeout })
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            descriptions = result.TopicDescriptions;
        }
        catch (DescribeTopicsException exception)
        {
            descriptions = exception.Results.TopicDescriptions;
        }
        catch (KafkaException)
        {
            // The provisioning that follows reports an unreachable cluster; the declarations stand meanwhile.
            return found;
        }

        var existing = descriptions.Where(d => d.Error is null || d.Error.Code == ErrorCode.NoError).ToList();
        if (existing.Count == 0)
        {
            return found;
        }

        List<DescribeConfigsResult> configs;
        try
        {
            configs = await admin.DescribeConfigsAsync(
                    [.. existing.Select(d => new ConfigResource { Type = ResourceType.Topic, Name = d.Name })],
                    new DescribeConfigsOptions { RequestTimeout = timeout })
                .WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException)
        {
            // Retention unknown: the partitions still follow the source.
            configs = [];
        }

        foreach (var description in existing)
        {
            var entries = configs.FirstOrDefault(c => c.ConfigResource.Name == description.Name)?.Entries;
            long? retention = entries is not null
                && entries.TryGetValue(TopicConfigNames.RetentionMs, out var entry)
                && long.TryParse(entry.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms)
                ? ms
                : null;
            found[description.Name] = (description.Partitions.Count, retention);
        }

        return found;
    }
}
