using Samsa.Protocol;

namespace Samsa.Testing.Requests;

/// <summary>
/// One partition a logged request named, with the offset it carried: the committed offset of an
/// OffsetCommit or TxnOffsetCommit, the fetch offset of a Fetch, the base offset the broker assigned
/// to a Produce; null where the API has none.
/// </summary>
/// <param name="Topic">The topic.</param>
/// <param name="Partition">The partition; null when the request named the topic only (Metadata, CreateTopics).</param>
/// <param name="Offset">The offset the request carried or was answered with.</param>
/// <param name="RecordCount">Records in a Produce request for this partition; 0 for other APIs.</param>
/// <param name="Error">The error the response gave this partition.</param>
public sealed record LoggedPartition(string Topic, int? Partition, long? Offset, int RecordCount, ErrorCode Error);
