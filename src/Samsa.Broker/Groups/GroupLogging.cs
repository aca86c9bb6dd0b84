using Microsoft.Extensions.Logging;

namespace Samsa.Broker.Groups;

/// <summary>Log messages of the group coordinator. Event ids 5000-5999.</summary>
internal static partial class GroupLogging
{
    [LoggerMessage(5000, LogLevel.Information, "Group {GroupId}: preparing rebalance from {State} at generation {Generation}: {Reason}")]
    public static partial void PreparingRebalance(ILogger logger, string groupId, GroupState state, int generation, string reason);

    [LoggerMessage(5001, LogLevel.Information, "Group {GroupId}: generation {Generation} with {MemberCount} member(s), protocol {Protocol}")]
    public static partial void GenerationStarted(ILogger logger, string groupId, int generation, int memberCount, string? protocol);

    [LoggerMessage(5002, LogLevel.Information, "Group {GroupId}: member {MemberId} removed: {Reason}")]
    public static partial void MemberRemoved(ILogger logger, string groupId, string memberId, string reason);

    [LoggerMessage(5003, LogLevel.Information, "Group {GroupId}: stable at generation {Generation}")]
    public static partial void Stable(ILogger logger, string groupId, int generation);

    [LoggerMessage(5004, LogLevel.Warning, "Group {GroupId}: writing to __consumer_offsets failed with {Error}")]
    public static partial void StoreFailed(ILogger logger, string groupId, Samsa.Protocol.ErrorCode error);

    [LoggerMessage(5005, LogLevel.Error, "Group {GroupId}: a command failed")]
    public static partial void CommandFailed(ILogger logger, Exception exception, string groupId);

    [LoggerMessage(5006, LogLevel.Information, "__consumer_offsets-{Partition}: loaded {GroupCount} group(s) and {OffsetCount} offset(s) for node {NodeId} in {ElapsedMs} ms")]
    public static partial void PartitionLoaded(ILogger logger, int partition, int groupCount, int offsetCount, int nodeId, long elapsedMs);

    [LoggerMessage(5007, LogLevel.Information, "__consumer_offsets-{Partition}: unloaded {GroupCount} group(s) from node {NodeId}")]
    public static partial void PartitionUnloaded(ILogger logger, int partition, int groupCount, int nodeId);

    // 5008 (load failed) moved to CoordinationLogging 8000, shared with the transaction coordinator.

    [LoggerMessage(5009, LogLevel.Information, "Group {GroupId}: deleted")]
    public static partial void GroupDeleted(ILogger logger, string groupId);

    [LoggerMessage(5010, LogLevel.Information, "Group {GroupId}: static member {InstanceId} replaced member {OldMemberId} with {NewMemberId}")]
    public static partial void StaticMemberReplaced(ILogger logger, string groupId, string instanceId, string oldMemberId, string newMemberId);

    [LoggerMessage(5011, LogLevel.Information, "Group {GroupId}: expired {Count} offset(s)")]
    public static partial void OffsetsExpired(ILogger logger, string groupId, int count);

    [LoggerMessage(5013, LogLevel.Information, "Group {GroupId}: target assignment for epoch {Epoch} computed with the {Assignor} assignor for {MemberCount} member(s)")]
    public static partial void ConsumerTargetAssignment(ILogger logger, string groupId, int epoch, string assignor, int memberCount);

    [LoggerMessage(5014, LogLevel.Information, "Group {GroupId}: member {MemberId} (instance {InstanceId}) joined with the consumer protocol")]
    public static partial void ConsumerMemberJoined(ILogger logger, string groupId, string memberId, string? instanceId);

    // 5012 (internal topic not created) moved to CoordinationLogging 8003.
}
