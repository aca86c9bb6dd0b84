using Samsa.Broker.Security.Authorization;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// DescribeUserScramCredentials (key 50), version 0 (KIP-554).
/// Lists the SCRAM mechanisms and iterations of the named users, or of every user when none is named
/// (users configured at start and those added with AlterUserScramCredentials alike); never a salt or
/// key. A user named twice is DUPLICATE_RESOURCE, one without credentials RESOURCE_NOT_FOUND, as
/// Kafka's ScramImage answers. Needs DESCRIBE on the cluster, else the top-level error is
/// CLUSTER_AUTHORIZATION_FAILED (and each named user carries it too, as Kafka's error response does).
/// librdkafka 2.16 aborts the process on any top-level error in this response (it frees a string it
/// did not allocate); Kafka answers the same way, so the answer is kept.
/// </summary>
internal sealed class DescribeUserScramCredentialsHandler : RequestHandler<DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse>
{
    public override ApiKey ApiKey => ApiKey.DescribeUserScramCredentials;

    public override short MinVersion => 0;

    public override short MaxVersion => 0;

    protected override ValueTask<DescribeUserScramCredentialsResponse?> HandleAsync(RequestContext context, DescribeUserScramCredentialsRequest request)
    {
        var names = request.Users?.Select(u => u.Name).ToList();
        var response = new DescribeUserScramCredentialsResponse { ErrorMessage = null };
        if (!context.AuthorizeCluster(AclOperation.Describe))
        {
            const string message = "The principal may not describe SCRAM credentials (DESCRIBE on the cluster).";
            response.ErrorCode = (short)ErrorCode.ClusterAuthorizationFailed;
            response.ErrorMessage = message;
            response.Results = (names ?? []).Select(n => new DescribeUserScramCredentialsResponse.DescribeUserScramCredentialsResult
            {
                User = n,
                ErrorCode = (short)ErrorCode.ClusterAuthorizationFailed,
                ErrorMessage = message,
            }).ToList();
            return ValueTask.FromResult<DescribeUserScramCredentialsResponse?>(response);
        }

        response.Results = context.Cluster.ScramCredentials.Describe(names).Select(d => new DescribeUserScramCredentialsResponse.DescribeUserScramCredentialsResult
        {
            User = d.User,
            ErrorCode = (short)d.Error,
            ErrorMessage = d.Message,
            CredentialInfos = d.Credentials.Select(c => new DescribeUserScramCredentialsResponse.CredentialInfo { Mechanism = c.Mechanism.Type, Iterations = c.Iterations }).ToList(),
        }).ToList();
        return ValueTask.FromResult<DescribeUserScramCredentialsResponse?>(response);
    }
}
