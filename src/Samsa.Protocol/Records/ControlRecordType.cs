namespace Samsa.Protocol.Records;

/// <summary>The type field of a control record key. Values past <see cref="Commit"/> are KRaft's own markers.</summary>
public enum ControlRecordType : short
{
    Abort = 0,
    Commit = 1,
}
