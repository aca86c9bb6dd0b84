using System.Buffers;
using Samsa.Protocol;
using Samsa.Protocol.Messages.Internal;

namespace Samsa.Broker.Groups;

/// <summary>
/// Keys and values of the records a group writes to <c>__consumer_offsets</c>, in Kafka's own
/// formats so that tools reading the topic (Burrow, kafka-consumer-groups) understand them.
/// A key starts with an int16 version that also says what the record is: 0 and 1 an offset
/// commit, 2 group metadata. Values start with their own version. A null value (tombstone)
/// deletes what the key names.
/// </summary>
internal static class GroupRecords
{
    /// <summary>Kafka writes offset keys at version 1 (version 0 is the same layout).</summary>
    public const short OffsetCommitKeyVersion = 1;

    public const short GroupMetadataKeyVersion = 2;

    /// <summary>Version 3 carries the leader epoch; Kafka writes it unless an expire timestamp is set (then 1).</summary>
    public const short OffsetCommitValueVersion = 3;

    /// <summary>Version 3 carries group instance ids (static membership), what Kafka writes today.</summary>
    public const short GroupMetadataValueVersion = 3;

    public static byte[] OffsetKey(string group, string topic, int partition) =>
        Encode(new OffsetCommitKey { Group = group, Topic = topic, Partition = partition }, OffsetCommitKeyVersion);

    public static byte[] OffsetValue(CommittedOffset offset)
    {
        var version = offset.ExpireTimestamp >= 0 ? (short)1 : OffsetCommitValueVersion;
        return Encode(
            new OffsetCommitValue
            {
                Offset = offset.Offset,
                LeaderEpoch = offset.LeaderEpoch,
                Metadata = offset.Metadata,
                CommitTimestamp = offset.CommitTimestamp,
                ExpireTimestamp = offset.ExpireTimestamp,
            },
            version);
    }

    public static byte[] GroupKey(string group) => Encode(new GroupMetadataKey { Group = group }, GroupMetadataKeyVersion);

    public static byte[] GroupValue(GroupMetadataValue value) => Encode(value, GroupMetadataValueVersion);

    /// <summary>What a key names; <see cref="GroupRecordKind.Other"/> for records of protocols not served here (share and streams groups).</summary>
    public static GroupRecordKey ReadKey(ReadOnlySpan<byte> key)
    {
        var reader = new KafkaReader(key);
        var version = reader.ReadInt16();
        switch (version)
        {
            case 0 or 1:
                var offsetKey = new OffsetCommitKey();
                offsetKey.Read(ref reader, version);
                return new GroupRecordKey(GroupRecordKind.Offset, offsetKey.Group, offsetKey.Topic, offsetKey.Partition);
            case 2:
                var groupKey = new GroupMetadataKey();
                groupKey.Read(ref reader, version);
                return new GroupRecordKey(GroupRecordKind.Group, groupKey.Group, "", -1);
            default:
                return ConsumerGroupRecords.TryReadKey(version, ref reader, out var group, out var memberId)
                    ? new GroupRecordKey(GroupRecordKind.ConsumerProtocol, group, "", -1, version, memberId)
                    : new GroupRecordKey(GroupRecordKind.Other, "", "", -1);
        }
    }

    public static CommittedOffset ReadOffsetValue(ReadOnlySpan<byte> value)
    {
        var reader = new KafkaReader(value);
        var version = reader.ReadInt16();
        var decoded = new OffsetCommitValue();
        decoded.Read(ref reader, version);
        return new CommittedOffset(decoded.Offset, decoded.LeaderEpoch, decoded.Metadata, decoded.CommitTimestamp, decoded.ExpireTimestamp);
    }

    public static GroupMetadataValue ReadGroupValue(ReadOnlySpan<byte> value)
    {
        var reader = new KafkaReader(value);
        var version = reader.ReadInt16();
        var decoded = new GroupMetadataValue();
        decoded.Read(ref reader, version);
        return decoded;
    }

    private static byte[] Encode(IKafkaMessage message, short version)
    {
        var buffer = new ArrayBufferWriter<byte>(64);
        var writer = new KafkaWriter(buffer);
        writer.WriteInt16(version);
        message.Write(ref writer, version);
        return buffer.WrittenSpan.ToArray();
    }
}

internal enum GroupRecordKind
{
    Offset,
    Group,

    /// <summary>One of a consumer-protocol (KIP-848) group's records; the key version says which (see <see cref="ConsumerGroupRecords"/>).</summary>
    ConsumerProtocol,
    Other,
}

internal readonly record struct GroupRecordKey(GroupRecordKind Kind, string Group, string Topic, int Partition, short KeyVersion = -1, string MemberId = "");

/// <summary>One record for <c>__consumer_offsets</c>; a null value is a tombstone.</summary>
internal readonly record struct GroupRecord(byte[] Key, byte[]? Value);

/// <summary>
/// Where a group writes its records: the <c>__consumer_offsets</c> partition it maps to, on the
/// node that coordinates it. Appends are durable (acks=all) before they return.
/// </summary>
internal interface IGroupRecordSink
{
    /// <summary>Appends <paramref name="records"/> as one batch; NONE, or the error of the append (NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS, ...).</summary>
    ErrorCode Append(IReadOnlyList<GroupRecord> records, long timestamp);
}
