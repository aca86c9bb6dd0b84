using Samsa.Broker.Security.Authorization;
using Samsa.Broker.Transactions;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// ListTransactions (key 66), versions 0-1.
/// The transactional ids this node coordinates, with producer id and state, filtered by state
/// names, producer ids and (v1) how long the transaction has been open. Unknown state names are
/// echoed in UnknownStateFilters. COORDINATOR_LOAD_IN_PROGRESS while one of its partitions is
/// replayed (with what is loaded). Behavior: as Kafka; clients ask every node.
/// Version notes: v1 DurationFilter (only transactions open longer than that many ms).
/// </summary>
internal sealed class ListTransactionsHandler(TransactionCoordinator transactions) : RequestHandler<ListTransactionsRequest, ListTransactionsResponse>
{
    public override ApiKey ApiKey => ApiKey.ListTransactions;

    public override short MinVersion => 0;

    public override short MaxVersion => 1;

    protected override ValueTask<ListTransactionsResponse?> HandleAsync(RequestContext context, ListTransactionsRequest request)
    {
        var response = new ListTransactionsResponse();
        var states = new HashSet<TransactionState>();
        foreach (var name in request.StateFilters)
        {
            if (TransactionStates.TryParse(name, out var state))
            {
                states.Add(state);
            }
            else
            {
                response.UnknownStateFilters.Add(name);
            }
        }

        var producers = request.ProducerIdFilters.ToHashSet();
        var now = context.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var minimumAge = context.ApiVersion >= 1 ? request.DurationFilter : -1;
        var (error, listed) = transactions.List(context.Node.Id);
        response.ErrorCode = (short)error;
        foreach (var transaction in listed)
        {
            if ((request.StateFilters.Count > 0 && !states.Contains(transaction.State))
                || (producers.Count > 0 && !producers.Contains(transaction.ProducerId))
                || (minimumAge >= 0 && (TransactionStates.IsIdle(transaction.State) || now - transaction.StartTimestamp < minimumAge))
                || !context.Authorize(AclOperation.Describe, AclResourceType.TransactionalId, transaction.TransactionalId))
            {
                continue;
            }

            response.TransactionStates.Add(new ListTransactionsResponse.TransactionStateData
            {
                TransactionalId = transaction.TransactionalId,
                ProducerId = transaction.ProducerId,
                TransactionState = TransactionStates.Name(transaction.State),
            });
        }

        return ValueTask.FromResult<ListTransactionsResponse?>(response);
    }
}
