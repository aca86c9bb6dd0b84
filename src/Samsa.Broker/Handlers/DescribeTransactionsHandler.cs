using Samsa.Broker.Security.Authorization;
using Samsa.Broker.Transactions;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// DescribeTransactions (key 65), version 0.
/// The state of each named transactional id coordinated by this node: state name (Empty, Ongoing,
/// PrepareCommit, ...), timeout, start time (-1 when no transaction is open), producer id and
/// epoch, and the partitions of the open transaction. Errors per id: NOT_COORDINATOR,
/// COORDINATOR_LOAD_IN_PROGRESS, TRANSACTIONAL_ID_NOT_FOUND. Behavior: as Kafka (no ACLs).
/// Version notes: v0 only.
/// </summary>
internal sealed class DescribeTransactionsHandler(TransactionCoordinator transactions) : RequestHandler<DescribeTransactionsRequest, DescribeTransactionsResponse>
{
    public override ApiKey ApiKey => ApiKey.DescribeTransactions;

    public override short MinVersion => 0;

    public override short MaxVersion => 0;

    protected override ValueTask<DescribeTransactionsResponse?> HandleAsync(RequestContext context, DescribeTransactionsRequest request)
    {
        var response = new DescribeTransactionsResponse();
        foreach (var transactionalId in request.TransactionalIds)
        {
            var (error, snapshot) = context.Authorize(AclOperation.Describe, AclResourceType.TransactionalId, transactionalId)
                ? transactions.Describe(context.Node.Id, transactionalId)
                : (ErrorCode.TransactionalIdAuthorizationFailed, null);
            var state = new DescribeTransactionsResponse.TransactionStateData { TransactionalId = transactionalId, ErrorCode = (short)error };
            response.TransactionStates.Add(state);
            if (snapshot is null)
            {
                continue;
            }

            state.TransactionState = TransactionStates.Name(snapshot.State);
            state.TransactionTimeoutMs = snapshot.TimeoutMs;
            state.TransactionStartTimeMs = TransactionStates.IsIdle(snapshot.State) ? -1 : snapshot.StartTimestamp;
            state.ProducerId = snapshot.ProducerId;
            state.ProducerEpoch = snapshot.ProducerEpoch;
            state.Topics = snapshot.Partitions
                .GroupBy(p => p.Topic, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => new DescribeTransactionsResponse.TopicData { Topic = g.Key, Partitions = g.Select(p => p.Partition).Order().ToList() })
                .ToList();
        }

        return ValueTask.FromResult<DescribeTransactionsResponse?>(response);
    }
}
