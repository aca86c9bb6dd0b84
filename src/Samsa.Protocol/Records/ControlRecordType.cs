namespace Samsa.Protocol.Records;

/// <summary>The type field of a control record key. Values past <see cref="Commit"/> are KRaft's own markers.</summary>
public enum ControlRecordType : short
{
    /// <summary>Marks the end of an aborted transaction.</summary>
    Abort = 0,
    /// <summary>Marks the end of a committed transaction.</summary>
    Commit = 1,
}
