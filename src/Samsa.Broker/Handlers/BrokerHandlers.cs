using Samsa.Broker.Groups;
using Samsa.Broker.Transactions;

namespace Samsa.Broker.Handlers;

/// <summary>Every handler the broker serves. ApiVersions advertises exactly these.</summary>
internal static class BrokerHandlers
{
    public static IEnumerable<IRequestHandler> Create(ApiVersionsHandler apiVersions, GroupCoordinator groups, TransactionCoordinator transactions) =>
    [
        apiVersions,
        new ProduceHandler(transactions),
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
        new InitProducerIdHandler(transactions),
        new FindCoordinatorHandler(groups, transactions),
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
        new ConsumerGroupHeartbeatHandler(groups),
        new ConsumerGroupDescribeHandler(groups),
        new AddPartitionsToTxnHandler(transactions),
        new AddOffsetsToTxnHandler(transactions),
        new EndTxnHandler(transactions),
        new WriteTxnMarkersHandler(transactions),
        new TxnOffsetCommitHandler(groups, transactions),
        new DescribeTransactionsHandler(transactions),
        new ListTransactionsHandler(transactions),
        new SaslHandshakeHandler(),
        new SaslAuthenticateHandler(),
        new DescribeAclsHandler(),
        new CreateAclsHandler(),
        new DeleteAclsHandler(),
        new DescribeUserScramCredentialsHandler(),
        new AlterUserScramCredentialsHandler(),
    ];
}
