namespace Samsa.Broker.Storage;

/// <summary>
/// What one <see cref="PartitionLog.Append"/> did.
/// </summary>
/// <param name="FirstOffset">Base offset of the first batch appended.</param>
/// <param name="LastOffset">Last offset of the last batch appended.</param>
/// <param name="LogAppendTime">The broker's append time in Unix ms when the log stamps batches with it (<c>message.timestamp.type=LogAppendTime</c>), otherwise -1; the Produce response's <c>log_append_time_ms</c>.</param>
/// <param name="MaxTimestamp">The largest batch max timestamp among the appended batches (-1 when none has one).</param>
/// <param name="RecordCount">Records appended, summed over the batches.</param>
internal readonly record struct LogAppendInfo(long FirstOffset, long LastOffset, long LogAppendTime, long MaxTimestamp, long RecordCount)
{
    public void Deconstruct(out long firstOffset, out long lastOffset)
    {
        firstOffset = FirstOffset;
        lastOffset = LastOffset;
    }
}
