using Samsa.Broker.Security;
using Samsa.Broker.Security.Authorization;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// AlterUserScramCredentials (key 51), version 0 (KIP-554).
/// Deletes and upserts SCRAM credentials per user and mechanism (1 = SCRAM-SHA-256, 2 = SCRAM-SHA-512).
/// The client sends the salt, the iteration count and the salted password; the broker keeps the salt,
/// iterations, StoredKey and ServerKey derived from it (in <c>scram-credentials.json</c> in the data
/// directory), and the next SASL login uses them. Rules as Kafka's ScramControlManager: each user at
/// most once per request (DUPLICATE_RESOURCE), 4096-16384 iterations (UNACCEPTABLE_CREDENTIAL),
/// deleting what does not exist is RESOURCE_NOT_FOUND, an unknown mechanism UNSUPPORTED_SASL_MECHANISM.
/// Needs ALTER on the cluster, else every named user gets CLUSTER_AUTHORIZATION_FAILED.
/// Difference: an empty salt or salted password is refused (UNACCEPTABLE_CREDENTIAL); Kafka stores it.
/// </summary>
internal sealed class AlterUserScramCredentialsHandler : RequestHandler<AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse>
{
    public override ApiKey ApiKey => ApiKey.AlterUserScramCredentials;

    public override short MinVersion => 0;

    public override short MaxVersion => 0;

    protected override ValueTask<AlterUserScramCredentialsResponse?> HandleAsync(RequestContext context, AlterUserScramCredentialsRequest request)
    {
        var response = new AlterUserScramCredentialsResponse();
        if (!context.AuthorizeCluster(AclOperation.Alter))
        {
            response.Results = request.Deletions.Select(d => d.Name).Concat(request.Upsertions.Select(u => u.Name))
                .Distinct(StringComparer.Ordinal)
                .Order(StringComparer.Ordinal)
                .Select(user => new AlterUserScramCredentialsResponse.AlterUserScramCredentialsResult
                {
                    User = user,
                    ErrorCode = (short)ErrorCode.ClusterAuthorizationFailed,
                    ErrorMessage = "The principal may not alter SCRAM credentials (ALTER on the cluster).",
                }).ToList();
            return ValueTask.FromResult<AlterUserScramCredentialsResponse?>(response);
        }

        var results = context.Cluster.ScramCredentials.Alter(
            request.Deletions.Select(d => new ScramCredentialAdministration.Deletion(d.Name, d.Mechanism)).ToList(),
            request.Upsertions.Select(u => new ScramCredentialAdministration.Upsertion(u.Name, u.Mechanism, u.Iterations, u.Salt, u.SaltedPassword)).ToList());
        response.Results = results.Select(r => new AlterUserScramCredentialsResponse.AlterUserScramCredentialsResult
        {
            User = r.User,
            ErrorCode = (short)r.Error,
            ErrorMessage = r.Message,
        }).ToList();
        return ValueTask.FromResult<AlterUserScramCredentialsResponse?>(response);
    }
}
