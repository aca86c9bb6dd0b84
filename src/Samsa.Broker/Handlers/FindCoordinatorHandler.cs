using Samsa.Broker.Groups;
using Samsa.Broker.Security.Authorization;
using Samsa.Broker.Transactions;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// FindCoordinator (key 10), versions 0-6.
/// A group key (key type 0) is coordinated by the leader of the group's <c>__consumer_offsets</c>
/// partition, chosen as Kafka chooses it so tools agree; the topic is created on first use.
/// A transaction key (type 1) is coordinated by the leader of the transactional id's
/// <c>__transaction_state</c> partition, chosen the same way; that topic is created on first use.
/// Behavior: share-group keys (type 2) and unknown types get INVALID_REQUEST. A stopped coordinator is
/// replaced by the partition's new leader, which the next FindCoordinator names.
/// Version notes: v1 key type, throttle time and error message; v3 flexible; v4 batched keys
/// (CoordinatorKeys) with one result each; v5 only adds an error code for transactions; v6 share-group keys.
/// </summary>
internal sealed class FindCoordinatorHandler(GroupCoordinator groups, TransactionCoordinator? transactions = null) : RequestHandler<FindCoordinatorRequest, FindCoordinatorResponse>
{
    private const sbyte GroupKeyType = 0;
    private const sbyte TransactionKeyType = 1;

    public override ApiKey ApiKey => ApiKey.FindCoordinator;

    public override short MinVersion => 0;

    public override short MaxVersion => 6;

    protected override ValueTask<FindCoordinatorResponse?> HandleAsync(RequestContext context, FindCoordinatorRequest request)
    {
        var version = context.ApiVersion;
        var keyType = version >= 1 ? request.KeyType : GroupKeyType;
        var response = new FindCoordinatorResponse();
        if (version >= 4)
        {
            foreach (var key in request.CoordinatorKeys)
            {
                var (error, message, node) = Authorized(context, key, keyType) ? Find(key, keyType) : Denied(keyType);
                response.Coordinators.Add(new FindCoordinatorResponse.Coordinator
                {
                    Key = key,
                    ErrorCode = (short)error,
                    ErrorMessage = message,
                    NodeId = node?.Id ?? -1,
                    Host = node?.Host ?? "",
                    Port = node?.Port ?? -1,
                });
            }
        }
        else
        {
            var (error, message, node) = Authorized(context, request.Key, keyType) ? Find(request.Key, keyType) : Denied(keyType);
            response.ErrorCode = (short)error;
            response.ErrorMessage = version >= 1 ? message : null;
            response.NodeId = node?.Id ?? -1;
            response.Host = node?.Host ?? "";
            response.Port = node?.Port ?? -1;
        }

        return ValueTask.FromResult<FindCoordinatorResponse?>(response);
    }

    private (ErrorCode Error, string? Message, Cluster.BrokerNode? Node) Find(string key, sbyte keyType)
    {
        switch (keyType)
        {
            case GroupKeyType:
                var (error, node) = groups.FindCoordinator(key);
                return (error, error == ErrorCode.None ? null : "The coordinator of this group is not available.", node);
            case TransactionKeyType when transactions is not null:
                var (txnError, txnNode) = transactions.FindCoordinator(key);
                return (txnError, txnError == ErrorCode.None ? null : "The coordinator of this transactional id is not available.", txnNode);
            case TransactionKeyType:
                return (ErrorCode.CoordinatorNotAvailable, "Samsa.Broker has no transaction coordinator.", null);
            default:
                return (ErrorCode.InvalidRequest, $"Unsupported coordinator key type {keyType}.", null);
        }
    }

    /// <summary>Kafka needs DESCRIBE on the group or transactional id whose coordinator is looked up.</summary>
    private static bool Authorized(RequestContext context, string key, sbyte keyType) => keyType switch
    {
        GroupKeyType => context.Authorize(AclOperation.Describe, AclResourceType.Group, key),
        1 => context.Authorize(AclOperation.Describe, AclResourceType.TransactionalId, key),
        _ => true,
    };

    private static (ErrorCode, string?, Cluster.BrokerNode?) Denied(sbyte keyType) =>
        (keyType == GroupKeyType ? ErrorCode.GroupAuthorizationFailed : ErrorCode.TransactionalIdAuthorizationFailed, "Authorization failed.", null);
}
