namespace Samsa.Broker.Coordination;

/// <summary>Where a coordinator shard stands on the node that leads its partition.</summary>
internal enum ShardStatus
{
    /// <summary>No node coordinates it (no leader), or the coordinator stopped.</summary>
    Unloaded,

    /// <summary>Its partition is being read back; requests get COORDINATOR_LOAD_IN_PROGRESS.</summary>
    Loading,

    /// <summary>Read back; its leader serves requests.</summary>
    Loaded,

    /// <summary>
    /// The last read failed and another attempt is scheduled (<see cref="CoordinatorLoadRetry"/>);
    /// requests still get COORDINATOR_LOAD_IN_PROGRESS, as the shard is still on its way to loaded.
    /// </summary>
    Failed,
}
