using Samsa.Broker.Groups;

namespace Samsa.Broker.Handlers;

/// <summary>Every handler the broker serves. ApiVersions advertises exactly these.</summary>
internal static class BrokerHandlers
{
    public static IEnumerable<IRequestHandler> Create(ApiVersionsHandler apiVersions, GroupCoordinator groups) =>
    [
        apiVersions,
        new ProduceHandler(),
        new FetchHandler(),
        new MetadataHandler(),
        new ListOffsetsHandler(),
        new OffsetForLeaderEpochHandler(),
        new CreateTopicsHandler(),
        new DeleteTopicsHandler(),
        new CreatePartitionsHandler(),
        new DeleteRecordsHandler(),
        new DescribeConfigsHandler(),
        new AlterConfigsHandler(),
        new IncrementalAlterConfigsHandler(),
        new DescribeClusterHandler(),
        new InitProducerIdHandler(),
        new SaslHandshakeHandler(),
        new SaslAuthenticateHandler(),
        new FindCoordinatorHandler(groups),
        new JoinGroupHandler(groups),
        new SyncGroupHandler(groups),
        new HeartbeatHandler(groups),
        new LeaveGroupHandler(groups),
        new OffsetCommitHandler(groups),
        new OffsetFetchHandler(groups),
        new ListGroupsHandler(groups),
        new DescribeGroupsHandler(groups),
        new DeleteGroupsHandler(groups),
        new OffsetDeleteHandler(groups),
    ];
}
