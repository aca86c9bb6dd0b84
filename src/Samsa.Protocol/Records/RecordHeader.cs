namespace Samsa.Protocol.Records;

/// <summary>A record header: a UTF-8 key and a value that may be null (distinct from empty).</summary>
public readonly record struct RecordHeader(string Key, ReadOnlyMemory<byte>? Value);
