namespace Samsa.Broker.Handlers;

/// <summary>Every handler the broker serves. ApiVersions advertises exactly these.</summary>
internal static class BrokerHandlers
{
    public static IEnumerable<IRequestHandler> Create(ApiVersionsHandler apiVersions) =>
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
    ];
}
