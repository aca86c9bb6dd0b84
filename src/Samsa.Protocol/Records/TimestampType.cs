namespace Samsa.Protocol.Records;

/// <summary>Attribute bit 3 of a record batch.</summary>
public enum TimestampType : byte
{
    /// <summary>The producer set the timestamp when it created the record.</summary>
    CreateTime = 0,
    /// <summary>The broker set the timestamp when it appended the batch to the log.</summary>
    LogAppendTime = 1,
}
