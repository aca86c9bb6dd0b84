using Samsa.Broker.Security.Authorization;
using System.Net;
using Samsa.Broker.Groups;
using Samsa.Protocol;
using Samsa.Protocol.Messages;

namespace Samsa.Broker.Handlers;

/// <summary>
/// JoinGroup (key 11), versions 0-9.
/// Joins a member to a classic group and waits (on this connection, which serves one request at
/// a time as Kafka does) until the rebalance gives out the next generation; the leader's answer
/// lists every member's metadata. Errors: INVALID_GROUP_ID, NOT_COORDINATOR,
/// COORDINATOR_LOAD_IN_PROGRESS, INVALID_SESSION_TIMEOUT (outside the broker's min/max),
/// INCONSISTENT_GROUP_PROTOCOL, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID, GROUP_MAX_SIZE_REACHED.
/// Behavior: as Kafka's classic coordinator (see <see cref="ConsumerGroup"/>); member ids are the
/// client id (or group instance id) plus a random UUID.
/// Version notes: v0 uses the session timeout as rebalance timeout; v1 rebalance timeout;
/// v4 a new member first gets MEMBER_ID_REQUIRED with its id and must join again with it (KIP-394);
/// v5 group instance id (static membership, KIP-345); v6 flexible; v7 protocol type in the answer
/// and a nullable protocol name; v8 reason; v9 skip-assignment for a static leader that rejoins a Stable group.
/// </summary>
internal sealed class JoinGroupHandler(GroupCoordinator groups) : RequestHandler<JoinGroupRequest, JoinGroupResponse>
{
    public override ApiKey ApiKey => ApiKey.JoinGroup;

    public override short MinVersion => 0;

    public override short MaxVersion => 9;

    protected override async ValueTask<JoinGroupResponse?> HandleAsync(RequestContext context, JoinGroupRequest request)
    {
        if (!context.Authorize(AclOperation.Read, AclResourceType.Group, request.GroupId))
        {
            return new JoinGroupResponse { ErrorCode = (short)ErrorCode.GroupAuthorizationFailed, GenerationId = -1, MemberId = request.MemberId };
        }

        var version = context.ApiVersion;
        var command = new JoinGroupCommand(
            request.MemberId,
            version >= 5 ? request.GroupInstanceId : null,
            context.ClientId ?? "",
            ClientHost(context.RemoteEndPoint),
            TimeSpan.FromMilliseconds(request.SessionTimeoutMs),
            TimeSpan.FromMilliseconds(version >= 1 ? request.RebalanceTimeoutMs : request.SessionTimeoutMs),
            request.ProtocolType,
            request.Protocols.Select(p => new GroupProtocol(p.Name, p.Metadata)).ToList(),
            RequireKnownMemberId: version >= 4,
            SupportsSkipAssignment: version >= 9,
            version >= 8 ? request.Reason : null);
        var result = await groups.JoinGroupAsync(context.Node.Id, request.GroupId, command).WaitAsync(context.Aborted).ConfigureAwait(false);
        return new JoinGroupResponse
        {
            ErrorCode = (short)result.Error,
            GenerationId = result.GenerationId,
            ProtocolType = version >= 7 ? result.ProtocolType : null,
            ProtocolName = version >= 7 ? result.ProtocolName : result.ProtocolName ?? "",
            Leader = result.LeaderId,
            SkipAssignment = version >= 9 && result.SkipAssignment,
            MemberId = result.MemberId,
            Members = result.Members
                .Select(m => new JoinGroupResponse.JoinGroupResponseMember
                {
                    MemberId = m.MemberId,
                    GroupInstanceId = version >= 5 ? m.GroupInstanceId : null,
                    Metadata = m.Metadata,
                })
                .ToList(),
        };
    }

    /// <summary>The client host as Kafka shows it (Java's InetAddress text: "/127.0.0.1").</summary>
    internal static string ClientHost(EndPoint? remote) => remote is IPEndPoint ip ? "/" + ip.Address : "";
}
