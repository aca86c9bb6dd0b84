using Samsa.Protocol;
using Samsa.Testing.Faults;

namespace Samsa.Testing.Requests;

/// <summary>One request a node served (or a fault caught), as the <see cref="RequestLog"/> keeps it.</summary>
public sealed record LoggedRequest
{
    /// <summary>When the answer was ready, from the cluster's clock.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The node that received it.</summary>
    public required int NodeId { get; init; }

    /// <summary>The API.</summary>
    public required ApiKey Api { get; init; }

    /// <summary>The API version the client used.</summary>
    public required short Version { get; init; }

    /// <summary>The client's <c>client.id</c>.</summary>
    public required string? ClientId { get; init; }

    /// <summary>The broker's id for the TCP connection it came on.</summary>
    public required long ConnectionId { get; init; }

    /// <summary>The consumer group it was about, if any.</summary>
    public string? GroupId { get; init; }

    /// <summary>The transactional id it carried, if any.</summary>
    public string? TransactionalId { get; init; }

    /// <summary>The partitions it named, in request order.</summary>
    public IReadOnlyList<LoggedPartition> Partitions { get; init; } = [];

    /// <summary>The error at the top of the response (group APIs, Fetch sessions); None when the response has no such field.</summary>
    public ErrorCode Error { get; init; }

    /// <summary>The faults that acted on it (empty when it was served normally).</summary>
    public IReadOnlyList<FaultKind> Faults { get; init; } = [];

    /// <inheritdoc />
    public override string ToString() =>
        $"{Api} v{Version} from {ClientId ?? "(no client id)"} on node {NodeId}" +
        (GroupId is null ? "" : $" group {GroupId}") +
        (Partitions.Count == 0 ? "" : " [" + string.Join(", ", Partitions.Select(p => $"{p.Topic}/{p.Partition}{(p.Offset is { } o ? "@" + o : "")}{(p.Error == ErrorCode.None ? "" : " " + p.Error)}")) + "]") +
        (Error == ErrorCode.None ? "" : $" {Error}") +
        (Faults.Count == 0 ? "" : " faults: " + string.Join(", ", Faults));
}
