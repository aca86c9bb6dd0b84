namespace Samsa.Provisioning;

/// <summary>A topic's <c>cleanup.policy</c>: what happens to old records.</summary>
public enum TopicCleanupPolicy
{
    /// <summary><c>delete</c>: segments older than the retention are deleted.</summary>
    Delete,

    /// <summary><c>compact</c>: only the latest record of each key is kept.</summary>
    Compact,

    /// <summary><c>compact,delete</c>: compacted, and segments older than the retention are deleted too.</summary>
    CompactDelete,
}
