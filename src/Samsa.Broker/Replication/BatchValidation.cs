using System.Buffers.Binary;
using Samsa.Broker.Cluster;
using Samsa.Broker.Storage;
using Samsa.Protocol;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Replication;

/// <summary>
/// Checks produced record batches before they are appended: whole magic-2 batches only, lengths
/// that add up, a valid CRC-32C, within max.message.bytes, no control batches from clients, one
/// batch per partition from Produce v3 on. Stamps log-append time where the topic asks for it.
/// </summary>
internal static class BatchValidation
{
    /// <summary>Validates <paramref name="batches"/> in place; on success returns the record count and the number of batches.</summary>
    public static (ErrorCode Error, string? Message, int Batches) Validate(ReadOnlySpan<byte> batches, TopicConfig config, short produceVersion)
    {
        if (batches.IsEmpty)
        {
            return (ErrorCode.InvalidRecord, "The produce request holds no record batch for this partition.", 0);
        }

        var count = 0;
        var position = 0;
        while (position < batches.Length)
        {
            var remaining = batches[position..];
            RecordBatchHeader header;
            try
            {
                if (remaining.Length > RecordBatchHeader.MagicOffset && (sbyte)remaining[RecordBatchHeader.MagicOffset] != 2)
                {
                    return (ErrorCode.UnsupportedForMessageFormat, $"Record batch magic {(sbyte)remaining[RecordBatchHeader.MagicOffset]} is not supported; Samsa.Broker accepts magic 2 record batches only.", count);
                }

                if (!RecordBatchHeader.TryRead(remaining, out header))
                {
                    return (ErrorCode.CorruptMessage, $"Truncated record batch: {remaining.Length} byte(s) at position {position} are too few for a batch header.", count);
                }
            }
            catch (ProtocolException e)
            {
                return (ErrorCode.CorruptMessage, e.Message, count);
            }

            if (header.TotalSize > remaining.Length)
            {
                return (ErrorCode.CorruptMessage, $"Record batch at position {position} declares {header.TotalSize} bytes but only {remaining.Length} remain.", count);
            }

            var batch = remaining[..header.TotalSize];
            var actualCrc = BatchCrc.Compute(batch[RecordBatchHeader.CrcCoverageStart..]);
            if (actualCrc != header.Crc)
            {
                return (ErrorCode.CorruptMessage, $"Record batch at position {position} fails its CRC check: stored 0x{header.Crc:x8}, computed 0x{actualCrc:x8}.", count);
            }

            if (header.TotalSize > config.MaxMessageBytes)
            {
                return (ErrorCode.MessageTooLarge, $"Record batch of {header.TotalSize} bytes exceeds max.message.bytes ({config.MaxMessageBytes}).", count);
            }

            if (header.IsControl)
            {
                return (ErrorCode.InvalidRecord, "Clients may not produce control batches.", count);
            }

            if (header.RecordCount <= 0 || header.LastOffsetDelta != header.RecordCount - 1)
            {
                return (ErrorCode.InvalidRecord, $"Record batch at position {position} has record count {header.RecordCount} and last offset delta {header.LastOffsetDelta}, which disagree.", count);
            }

            if (config.IsCompacted && FindKeylessRecord(batch) is { } problem)
            {
                return (problem.Error, problem.Message, count);
            }

            count++;
            position += header.TotalSize;
        }

        if (produceVersion >= 3 && count != 1)
        {
            return (ErrorCode.InvalidRecord, $"Produce v3 and later must carry exactly one record batch per partition; this one carries {count}.", count);
        }

        return (ErrorCode.None, null, count);
    }

    /// <summary>For LogAppendTime topics: marks each batch's timestamp type and sets its max timestamp to <paramref name="appendTime"/>, then re-signs it.</summary>
    /// <summary>
    /// Compaction keeps the latest record per key, so a compacted topic refuses records without
    /// one, as Kafka does (INVALID_RECORD). Costs a decode (and decompression) of the batch, paid
    /// only on compacted topics.
    /// </summary>
    private static (ErrorCode Error, string Message)? FindKeylessRecord(ReadOnlySpan<byte> batch)
    {
        try
        {
            foreach (var record in RecordBatch.Parse(batch.ToArray()).ReadRecords())
            {
                if (record.Key is null)
                {
                    return (ErrorCode.InvalidRecord, "Compacted topic cannot accept message without key.");
                }
            }
        }
        catch (ProtocolException e)
        {
            return (ErrorCode.CorruptMessage, e.Message);
        }

        return null;
    }

    public static void StampLogAppendTime(Span<byte> batches, long appendTime)
    {
        var position = 0;
        while (position < batches.Length)
        {
            var batch = batches[position..];
            RecordBatchHeader.TryRead(batch, out var header);
            batch = batch[..header.TotalSize];
            var attributes = (short)(header.Attributes | RecordBatchHeader.TimestampTypeMask);
            BinaryPrimitives.WriteInt16BigEndian(batch[RecordBatchHeader.AttributesOffset..], attributes);
            BinaryPrimitives.WriteInt64BigEndian(batch[RecordBatchHeader.MaxTimestampOffset..], appendTime);
            BatchCrc.Update(batch);
            position += header.TotalSize;
        }
    }
}
