using Confluent.Kafka.Admin;
using Samsa.Configuration;
using Samsa.Startup;

namespace Samsa.Publishing;

/// <summary>
/// The permissions the publisher is known to need before it sends anything, for the start-up gate's
/// authorization check: WRITE on each topic of <see cref="PublisherOptions.TopicMap"/>. Topics chosen per call,
/// by attribute or by naming convention are not known at start-up and are not checked.
/// </summary>
internal static class PublisherAccessRequirements
{
    public static void Declare(KafkaOptions kafka, PublisherOptions options)
    {
        foreach (var (eventType, topic) in options.TopicMap)
        {
            KafkaAccessRequirement.Add(kafka.AccessRequirements, KafkaAccessResource.Topic, topic, AclOperation.Write, $"the publisher sends {eventType.Name} to it");
        }
    }
}
