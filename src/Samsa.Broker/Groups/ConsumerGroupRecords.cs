using System.Buffers;
using Samsa.Protocol;
using Samsa.Protocol.Messages.Internal;

namespace Samsa.Broker.Groups;

/// <summary>
/// The <c>__consumer_offsets</c> records of consumer-protocol (KIP-848) groups, in Kafka's formats:
/// the key version says what a record is (3 group epoch, 4 subscribed topics, 5 member
/// subscription, 6 target assignment epoch, 7 a member's target assignment, 8 a member's current
/// assignment); every value is version 0. A null value (tombstone) deletes what the key names.
/// </summary>
internal static class ConsumerGroupRecords
{
    public const short GroupMetadataKeyVersion = 3;
    public const short PartitionMetadataKeyVersion = 4;
    public const short MemberMetadataKeyVersion = 5;
    public const short TargetAssignmentMetadataKeyVersion = 6;
    public const short TargetAssignmentMemberKeyVersion = 7;
    public const short CurrentAssignmentKeyVersion = 8;
    private const short ValueVersion = 0;

    public static GroupRecord GroupEpoch(string group, int epoch) =>
        new(Encode(new ConsumerGroupMetadataKey { GroupId = group }, GroupMetadataKeyVersion), Encode(new ConsumerGroupMetadataValue { Epoch = epoch }, ValueVersion));

    public static GroupRecord SubscriptionMetadata(string group, IEnumerable<TopicDescription> topics) => new(
        Encode(new ConsumerGroupPartitionMetadataKey { GroupId = group }, PartitionMetadataKeyVersion),
        Encode(
            new ConsumerGroupPartitionMetadataValue
            {
                Topics = topics.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => new ConsumerGroupPartitionMetadataValue.TopicMetadata
                {
                    TopicId = t.Id,
                    TopicName = t.Name,
                    NumPartitions = t.PartitionCount,
                }).ToList(),
            },
            ValueVersion));

    public static GroupRecord Member(string group, ConsumerProtocolMember member) => new(
        MemberKey(group, member.MemberId),
        Encode(
            new ConsumerGroupMemberMetadataValue
            {
                InstanceId = member.InstanceId,
                RackId = member.RackId,
                ClientId = member.ClientId,
                ClientHost = member.ClientHost,
                SubscribedTopicNames = [.. member.SubscribedTopicNames],
                SubscribedTopicRegex = member.SubscribedTopicRegex,
                RebalanceTimeoutMs = member.RebalanceTimeoutMs,
                ServerAssignor = member.ServerAssignor,
            },
            ValueVersion));

    public static GroupRecord TargetEpoch(string group, int epoch) => new(
        Encode(new ConsumerGroupTargetAssignmentMetadataKey { GroupId = group }, TargetAssignmentMetadataKeyVersion),
        Encode(new ConsumerGroupTargetAssignmentMetadataValue { AssignmentEpoch = epoch }, ValueVersion));

    public static GroupRecord Target(string group, string memberId, PartitionAssignment target) => new(
        TargetKey(group, memberId),
        Encode(
            new ConsumerGroupTargetAssignmentMemberValue
            {
                TopicPartitions = target.ByTopic.Select(kv => new ConsumerGroupTargetAssignmentMemberValue.TopicPartition { TopicId = kv.Key, Partitions = [.. kv.Value] }).ToList(),
            },
            ValueVersion));

    public static GroupRecord CurrentAssignment(string group, ConsumerProtocolMember member) => new(
        CurrentAssignmentKey(group, member.MemberId),
        Encode(
            new ConsumerGroupCurrentMemberAssignmentValue
            {
                MemberEpoch = member.MemberEpoch,
                PreviousMemberEpoch = member.PreviousMemberEpoch,
                State = (sbyte)member.State,
                AssignedPartitions = ToRecord(member.Assigned),
                PartitionsPendingRevocation = ToRecord(member.PendingRevocation),
            },
            ValueVersion));

    /// <summary>Tombstones of a member's records, in the order Kafka writes them when a member leaves.</summary>
    public static IEnumerable<GroupRecord> MemberTombstones(string group, string memberId) =>
    [
        new(CurrentAssignmentKey(group, memberId), null),
        new(TargetKey(group, memberId), null),
        new(MemberKey(group, memberId), null),
    ];

    /// <summary>Tombstones of an empty group's own records (target epoch, subscribed topics, group epoch), as Kafka deletes a group.</summary>
    public static IEnumerable<GroupRecord> GroupTombstones(string group) =>
    [
        new(Encode(new ConsumerGroupTargetAssignmentMetadataKey { GroupId = group }, TargetAssignmentMetadataKeyVersion), null),
        new(Encode(new ConsumerGroupPartitionMetadataKey { GroupId = group }, PartitionMetadataKeyVersion), null),
        new(Encode(new ConsumerGroupMetadataKey { GroupId = group }, GroupMetadataKeyVersion), null),
    ];

    /// <summary>The group and member a consumer-protocol key names; false for other keys.</summary>
    public static bool TryReadKey(short version, ref KafkaReader reader, out string group, out string memberId)
    {
        memberId = "";
        switch (version)
        {
            case GroupMetadataKeyVersion:
                var metadata = new ConsumerGroupMetadataKey();
                metadata.Read(ref reader, version);
                group = metadata.GroupId;
                return true;
            case PartitionMetadataKeyVersion:
                var partitions = new ConsumerGroupPartitionMetadataKey();
                partitions.Read(ref reader, version);
                group = partitions.GroupId;
                return true;
            case MemberMetadataKeyVersion:
                var member = new ConsumerGroupMemberMetadataKey();
                member.Read(ref reader, version);
                (group, memberId) = (member.GroupId, member.MemberId);
                return true;
            case TargetAssignmentMetadataKeyVersion:
                var targetEpoch = new ConsumerGroupTargetAssignmentMetadataKey();
                targetEpoch.Read(ref reader, version);
                group = targetEpoch.GroupId;
                return true;
            case TargetAssignmentMemberKeyVersion:
                var target = new ConsumerGroupTargetAssignmentMemberKey();
                target.Read(ref reader, version);
                (group, memberId) = (target.GroupId, target.MemberId);
                return true;
            case CurrentAssignmentKeyVersion:
                var current = new ConsumerGroupCurrentMemberAssignmentKey();
                current.Read(ref reader, version);
                (group, memberId) = (current.GroupId, current.MemberId);
                return true;
            default:
                group = "";
                return false;
        }
    }

    public static T ReadValue<T>(ReadOnlySpan<byte> value)
        where T : IKafkaMessage, new()
    {
        var reader = new KafkaReader(value);
        var version = reader.ReadInt16();
        var decoded = new T();
        decoded.Read(ref reader, version);
        return decoded;
    }

    public static PartitionAssignment FromRecord(IEnumerable<ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions> partitions) =>
        PartitionAssignment.From(partitions.Select(p => (p.TopicId, (IEnumerable<int>)p.Partitions)));

    private static List<ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions> ToRecord(PartitionAssignment assignment) =>
        assignment.ByTopic.Select(kv => new ConsumerGroupCurrentMemberAssignmentValue.TopicPartitions { TopicId = kv.Key, Partitions = [.. kv.Value] }).ToList();

    private static byte[] MemberKey(string group, string memberId) =>
        Encode(new ConsumerGroupMemberMetadataKey { GroupId = group, MemberId = memberId }, MemberMetadataKeyVersion);

    private static byte[] TargetKey(string group, string memberId) =>
        Encode(new ConsumerGroupTargetAssignmentMemberKey { GroupId = group, MemberId = memberId }, TargetAssignmentMemberKeyVersion);

    private static byte[] CurrentAssignmentKey(string group, string memberId) =>
        Encode(new ConsumerGroupCurrentMemberAssignmentKey { GroupId = group, MemberId = memberId }, CurrentAssignmentKeyVersion);

    private static byte[] Encode(IKafkaMessage message, short version)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new KafkaWriter(buffer);
        writer.WriteInt16(version);
        message.Write(ref writer, version);
        return buffer.WrittenSpan.ToArray();
    }
}
