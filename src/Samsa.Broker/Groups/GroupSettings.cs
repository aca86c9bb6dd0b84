namespace Samsa.Broker.Groups;

/// <summary>The broker settings a group works with (see <see cref="BrokerOptions"/> for the Kafka names).</summary>
internal sealed record GroupSettings(
    TimeSpan MinSessionTimeout,
    TimeSpan MaxSessionTimeout,
    TimeSpan InitialRebalanceDelay,
    int MaxSize,
    int OffsetMetadataMaxBytes,
    TimeSpan OffsetsRetention)
{
    /// <summary>
    /// How long a new member may wait in JoinGroup before it is dropped (Kafka's fixed 5 minutes):
    /// it has no member id to heartbeat with, and a client that gave up would otherwise stay forever.
    /// </summary>
    public static readonly TimeSpan NewMemberJoinTimeout = TimeSpan.FromMinutes(5);

    /// <summary>Settings of consumer-protocol (KIP-848) groups.</summary>
    public ConsumerProtocolSettings ConsumerProtocol { get; init; } = ConsumerProtocolSettings.Default;

    public static GroupSettings From(BrokerOptions options) => new(
        options.GroupMinSessionTimeout,
        options.GroupMaxSessionTimeout,
        options.GroupInitialRebalanceDelay,
        options.GroupMaxSize,
        options.OffsetMetadataMaxBytes,
        options.OffsetsRetention)
    {
        ConsumerProtocol = ConsumerProtocolSettings.From(options),
    };
}
