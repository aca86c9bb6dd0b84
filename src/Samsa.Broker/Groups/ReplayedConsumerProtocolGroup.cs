using Samsa.Protocol.Messages.Internal;

namespace Samsa.Broker.Groups;

/// <summary>
/// What a replay of <c>__consumer_offsets</c> found of a consumer-protocol (KIP-848) group: the
/// last value of each of its records. Exists while the group epoch record does (Kafka deletes the
/// group with its tombstone).
/// </summary>
internal sealed class ReplayedConsumerProtocolGroup
{
    public int? GroupEpoch { get; private set; }

    public IReadOnlyList<TopicDescription> SubscribedTopics { get; private set; } = [];

    public int TargetEpoch { get; private set; }

    public Dictionary<string, ConsumerGroupMemberMetadataValue> Members { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, ConsumerGroupCurrentMemberAssignmentValue> CurrentAssignments { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, PartitionAssignment> Targets { get; } = new(StringComparer.Ordinal);

    public bool Exists => GroupEpoch is not null;

    public void Apply(short keyVersion, string memberId, byte[]? value)
    {
        switch (keyVersion)
        {
            case ConsumerGroupRecords.GroupMetadataKeyVersion when value is null:
                GroupEpoch = null;
                SubscribedTopics = [];
                TargetEpoch = 0;
                Members.Clear();
                CurrentAssignments.Clear();
                Targets.Clear();
                break;
            case ConsumerGroupRecords.GroupMetadataKeyVersion:
                GroupEpoch = ConsumerGroupRecords.ReadValue<ConsumerGroupMetadataValue>(value).Epoch;
                break;
            case ConsumerGroupRecords.PartitionMetadataKeyVersion:
                SubscribedTopics = value is null
                    ? []
                    : ConsumerGroupRecords.ReadValue<ConsumerGroupPartitionMetadataValue>(value).Topics
                        .Select(t => new TopicDescription(t.TopicName, t.TopicId, t.NumPartitions)).ToList();
                break;
            case ConsumerGroupRecords.MemberMetadataKeyVersion:
                Set(Members, memberId, value);
                break;
            case ConsumerGroupRecords.TargetAssignmentMetadataKeyVersion:
                TargetEpoch = value is null ? 0 : ConsumerGroupRecords.ReadValue<ConsumerGroupTargetAssignmentMetadataValue>(value).AssignmentEpoch;
                break;
            case ConsumerGroupRecords.TargetAssignmentMemberKeyVersion:
                if (value is null)
                {
                    Targets.Remove(memberId);
                }
                else
                {
                    var target = ConsumerGroupRecords.ReadValue<ConsumerGroupTargetAssignmentMemberValue>(value);
                    Targets[memberId] = PartitionAssignment.From(target.TopicPartitions.Select(t => (t.TopicId, (IEnumerable<int>)t.Partitions)));
                }

                break;
            case ConsumerGroupRecords.CurrentAssignmentKeyVersion:
                Set(CurrentAssignments, memberId, value);
                break;
        }
    }

    private static void Set<T>(Dictionary<string, T> values, string memberId, byte[]? value)
        where T : Samsa.Protocol.IKafkaMessage, new()
    {
        if (value is null)
        {
            values.Remove(memberId);
        }
        else
        {
            values[memberId] = ConsumerGroupRecords.ReadValue<T>(value);
        }
    }
}
