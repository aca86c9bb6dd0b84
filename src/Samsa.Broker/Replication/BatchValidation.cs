using System.Buffers.Binary;
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
    /// <summary>
    /// Validates <paramref name="batches"/> in place. Record-level problems (a keyless record on a
    /// compacted topic, a timestamp outside message.timestamp.before/after.max.ms of
    /// <paramref name="now"/>) are collected for every record of the batch, as Kafka's LogValidator
    /// does, and answered as one INVALID_RECORD (or INVALID_TIMESTAMP when any timestamp is out of
    /// range) naming each bad record by its index in the batch (KIP-467).
    /// </summary>
    public static BatchValidationResult Validate(ReadOnlySpan<byte> batches, LogConfig config, short produceVersion, string topic, int partition, long now)
    {
        if (batches.IsEmpty)
        {
            return new(ErrorCode.InvalidRecord, "The produce request holds no record batch for this partition.", 0);
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
                    return new(ErrorCode.UnsupportedForMessageFormat, $"Record batch magic {(sbyte)remaining[RecordBatchHeader.MagicOffset]} is not supported; Samsa.Broker accepts magic 2 record batches only.", count);
                }

                if (!RecordBatchHeader.TryRead(remaining, out header))
                {
                    return new(ErrorCode.CorruptMessage, $"Truncated record batch: {remaining.Length} byte(s) at position {position} are too few for a batch header.", count);
                }
            }
            catch (ProtocolException e)
            {
                return new(ErrorCode.CorruptMessage, e.Message, count);
            }

            if (header.TotalSize > remaining.Length)
            {
                return new(ErrorCode.CorruptMessage, $"Record batch at position {position} declares {header.TotalSize} bytes but only {remaining.Length} remain.", count);
            }

            var batch = remaining[..header.TotalSize];
            var actualCrc = BatchCrc.Compute(batch[RecordBatchHeader.CrcCoverageStart..]);
            if (actualCrc != header.Crc)
            {
                return new(ErrorCode.CorruptMessage, $"Record batch at position {position} fails its CRC check: stored 0x{header.Crc:x8}, computed 0x{actualCrc:x8}.", count);
            }

            if (header.TotalSize > config.MaxMessageBytes)
            {
                return new(ErrorCode.MessageTooLarge, $"Record batch of {header.TotalSize} bytes exceeds max.message.bytes ({config.MaxMessageBytes}).", count);
            }

            if (header.IsControl)
            {
                return new(ErrorCode.InvalidRecord, "Clients may not produce control batches.", count);
            }

            if (header.RecordCount <= 0 || header.LastOffsetDelta != header.RecordCount - 1)
            {
                return new(ErrorCode.InvalidRecord, $"Record batch at position {position} has record count {header.RecordCount} and last offset delta {header.LastOffsetDelta}, which disagree.", count);
            }

            if ((config.Compact || config.BoundsTimestamps || header.TimestampType == TimestampType.LogAppendTime) && CheckRecords(batch, header, config, $"{topic}-{partition}", now) is { } problem)
            {
                return new(problem.Error, problem.Message, count, problem.RecordErrors);
            }

            count++;
            position += header.TotalSize;
        }

        if (produceVersion >= 3 && count != 1)
        {
            return new(ErrorCode.InvalidRecord, $"Produce v3 and later must carry exactly one record batch per partition; this one carries {count}.", count);
        }

        return new(ErrorCode.None, null, count);
    }

    /// <summary>
    /// Kafka's per-record checks, in its order: a compacted topic needs a key; a CreateTime topic
    /// bounds timestamps (records without one pass); a producer may not claim LogAppendTime. Costs a
    /// decode (and decompression) of the batch, paid only where one of the checks can fail.
    /// </summary>
    private static (ErrorCode Error, string Message, IReadOnlyList<RecordError> RecordErrors)? CheckRecords(
        ReadOnlySpan<byte> batch, RecordBatchHeader header, LogConfig config, string topicPartition, long now)
    {
        List<RecordError>? errors = null;
        var anyTimestampError = false;
        try
        {
            var index = 0;
            foreach (var record in RecordBatch.Parse(batch.ToArray()).ReadRecords())
            {
                string? problem = null;
                if (config.Compact && record.Key is null)
                {
                    problem = $"Compacted topic cannot accept message without key in topic partition {topicPartition}.";
                }
                else if (!config.LogAppendTime && record.Timestamp != -1)
                {
                    if (now - record.Timestamp > config.MessageTimestampBeforeMaxMs || record.Timestamp - now > config.MessageTimestampAfterMaxMs)
                    {
                        anyTimestampError = true;
                        problem = $"Timestamp {record.Timestamp} of message with offset {record.Offset} is out of range. "
                            + $"The timestamp should be within [{Bound(now, -config.MessageTimestampBeforeMaxMs)}, {Bound(now, config.MessageTimestampAfterMaxMs)}]";
                    }
                }
                else if (header.TimestampType == TimestampType.LogAppendTime)
                {
                    anyTimestampError = true;
                    problem = $"Invalid timestamp type in message {record}. Producer should not set timestamp type to LogAppendTime.";
                }

                if (problem is not null)
                {
                    (errors ??= []).Add(new RecordError(index, problem));
                }

                index++;
            }
        }
        catch (ProtocolException e)
        {
            return (ErrorCode.CorruptMessage, e.Message, []);
        }

        if (errors is null)
        {
            return null;
        }

        return anyTimestampError
            ? (ErrorCode.InvalidTimestamp, "One or more records have been rejected due to invalid timestamp", errors)
            : (ErrorCode.InvalidRecord, $"One or more records have been rejected due to {errors.Count} record errors in total, and only showing the first three errors at most: [{string.Join(", ", errors.Take(3))}]", errors);
    }

    /// <summary><paramref name="now"/> moved by <paramref name="delta"/>, wrapping as Java's long arithmetic does in the message.</summary>
    private static long Bound(long now, long delta) => unchecked(now + delta);

    /// <summary>For LogAppendTime topics: marks each batch's timestamp type and sets its max timestamp to <paramref name="appendTime"/>, then re-signs it.</summary>
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
