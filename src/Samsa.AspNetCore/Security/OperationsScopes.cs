namespace Samsa.AspNetCore.Security;

/// <summary>The scopes an operations credential can carry, and the claim that carries them.</summary>
public static class OperationsScopes
{
    /// <summary>The claim type of a granted scope (the same as an OAuth access token's <c>scope</c> values).</summary>
    public const string ClaimType = "scope";

    /// <summary>Look: console pages, lag, dead-letter listings, health details, metrics.</summary>
    public const string Read = "read";

    /// <summary>Change state: replay dead letters (includes <see cref="Read"/>).</summary>
    public const string Replay = "replay";

    /// <summary>Shortest accepted API key: shorter ones are guessable.</summary>
    public const int MinimumKeyLength = 16;

    internal static readonly string[] All = [Read, Replay];
}
