using Confluent.Kafka.Admin;

namespace Samsa.Startup;

/// <summary>
/// One permission the service's principal needs on the cluster, declared by the part of the service that
/// needs it (a consumer reads its topic, writes its retry and dead-letter topics, joins its group), so the
/// start-up gate can check them all at once and name what is missing.
/// </summary>
/// <param name="Resource">The kind of resource.</param>
/// <param name="Name">The topic or group name.</param>
/// <param name="Operation">The ACL operation needed, such as <see cref="AclOperation.Read"/>.</param>
/// <param name="NeededBy">Who needs it, as a phrase: "consumer group `billing` reads it".</param>
internal sealed record KafkaAccessRequirement(KafkaAccessResource Resource, string Name, AclOperation Operation, string NeededBy)
{
    /// <summary>Adds a requirement to <paramref name="requirements"/> unless the same operation on the same resource is there already.</summary>
    public static void Add(List<KafkaAccessRequirement> requirements, KafkaAccessResource resource, string name, AclOperation operation, string neededBy)
    {
        if (!requirements.Exists(r => r.Resource == resource && r.Operation == operation && string.Equals(r.Name, name, StringComparison.Ordinal)))
        {
            requirements.Add(new KafkaAccessRequirement(resource, name, operation, neededBy));
        }
    }
}

/// <summary>The resources whose permissions the start-up gate can check (Kafka reports a principal's operations on these).</summary>
internal enum KafkaAccessResource
{
    /// <summary>A topic.</summary>
    Topic,

    /// <summary>A consumer group.</summary>
    Group,
}
