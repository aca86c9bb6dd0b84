using System.Buffers.Binary;

namespace Samsa.Protocol.Records;

/// <summary>
/// Control records (transaction markers). Key: version int16 + type int16. Value of a commit or
/// abort marker: version int16 + coordinator epoch int32.
/// </summary>
public static class ControlRecord
{
    /// <summary>The control record key version this library writes.</summary>
    public const short CurrentKeyVersion = 0;
    /// <summary>The end-transaction marker value version this library writes.</summary>
    public const short CurrentValueVersion = 0;
    /// <summary>Bytes of a control record key: version and type, two int16s.</summary>
    public const int KeySize = 4;
    /// <summary>Bytes of an end-transaction marker value: version int16 and coordinator epoch int32.</summary>
    public const int EndTransactionValueSize = 6;

    /// <summary>The key of a control record of <paramref name="type"/>.</summary>
    public static byte[] CreateKey(ControlRecordType type)
    {
        var key = new byte[KeySize];
        BinaryPrimitives.WriteInt16BigEndian(key, CurrentKeyVersion);
        BinaryPrimitives.WriteInt16BigEndian(key.AsSpan(2), (short)type);
        return key;
    }

    /// <summary>The value of a commit or abort marker.</summary>
    public static byte[] CreateEndTransactionValue(int coordinatorEpoch)
    {
        var value = new byte[EndTransactionValueSize];
        BinaryPrimitives.WriteInt16BigEndian(value, CurrentValueVersion);
        BinaryPrimitives.WriteInt32BigEndian(value.AsSpan(2), coordinatorEpoch);
        return value;
    }

    /// <summary>Reads the type from a control record key; false when the key is too short or its version negative.</summary>
    public static bool TryReadType(ReadOnlySpan<byte> key, out ControlRecordType type)
    {
        if (key.Length < KeySize || BinaryPrimitives.ReadInt16BigEndian(key) < 0)
        {
            type = default;
            return false;
        }

        type = (ControlRecordType)BinaryPrimitives.ReadInt16BigEndian(key[2..]);
        return true;
    }

    /// <summary>Reads the type from a control record key; throws <see cref="ProtocolException"/> when malformed.</summary>
    public static ControlRecordType ReadType(ReadOnlySpan<byte> key) =>
        TryReadType(key, out var type)
            ? type
            : throw new ProtocolException($"Malformed control record key of {key.Length} byte(s): expected version int16 (>= 0) and type int16.");

    /// <summary>Reads the coordinator epoch from a commit or abort marker value; throws <see cref="ProtocolException"/> when malformed.</summary>
    public static int ReadCoordinatorEpoch(ReadOnlySpan<byte> value)
    {
        if (value.Length < EndTransactionValueSize || BinaryPrimitives.ReadInt16BigEndian(value) < 0)
        {
            throw new ProtocolException($"Malformed transaction marker value of {value.Length} byte(s): expected version int16 (>= 0) and coordinator epoch int32.");
        }

        return BinaryPrimitives.ReadInt32BigEndian(value[2..]);
    }

    /// <summary>Builds a transactional control batch holding one commit or abort marker.</summary>
    public static byte[] CreateEndTransactionBatch(
        ControlRecordType type,
        long producerId,
        short producerEpoch,
        int coordinatorEpoch,
        long timestamp,
        long baseOffset = 0,
        int partitionLeaderEpoch = -1)
    {
        using var builder = new RecordBatchBuilder(CompressionType.None, 128)
        {
            BaseOffset = baseOffset,
            PartitionLeaderEpoch = partitionLeaderEpoch,
            ProducerId = producerId,
            ProducerEpoch = producerEpoch,
            IsTransactional = true,
            IsControl = true,
        };
        builder.Append(timestamp, CreateKey(type), CreateEndTransactionValue(coordinatorEpoch));
        return builder.ToArray();
    }
}
