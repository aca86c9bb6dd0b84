using Confluent.Kafka.Admin;
using Samsa.Configuration;
using Samsa.Startup;

namespace Samsa.Consuming;

/// <summary>
/// The permissions a consumer registration needs, for the start-up gate's authorization check: READ on its
/// topic and its group, READ and WRITE on its retry topics (it produces to them and consumes them), WRITE on
/// its dead-letter topic. Transactional ids (exactly-once) are not listed: Kafka reports no operations for
/// them, so a missing ACL there shows at the first transaction instead.
/// </summary>
internal static class ConsumerAccessRequirements
{
    public static void Declare(KafkaOptions kafka, ConsumerOptions options)
    {
        var group = $"consumer group `{options.GroupId}`";
        Add(kafka, KafkaAccessResource.Topic, options.Topic, AclOperation.Read, $"{group} reads it");
        Add(kafka, KafkaAccessResource.Group, options.GroupId, AclOperation.Read, $"the consumer of `{options.Topic}` joins it and commits in it");
        foreach (var retryTopic in options.RetryTopics)
        {
            Add(kafka, KafkaAccessResource.Topic, retryTopic, AclOperation.Write, $"{group} sends failed records to it");
            Add(kafka, KafkaAccessResource.Topic, retryTopic, AclOperation.Read, $"{group} retries records from it");
        }

        Add(kafka, KafkaAccessResource.Topic, options.EffectiveDeadLetterTopic, AclOperation.Write, $"{group} dead-letters records to it");
    }

    private static void Add(KafkaOptions kafka, KafkaAccessResource resource, string name, AclOperation operation, string neededBy) =>
        KafkaAccessRequirement.Add(kafka.AccessRequirements, resource, name, operation, neededBy);
}
