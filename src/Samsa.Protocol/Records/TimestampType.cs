namespace Samsa.Protocol.Records;

/// <summary>Attribute bit 3 of a record batch.</summary>
public enum TimestampType : byte
{
    CreateTime = 0,
    LogAppendTime = 1,
}
