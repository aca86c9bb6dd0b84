namespace Samsa.AspNetCore.Security;

/// <summary>The authorization policies of the operational surface; put them on endpoints with <c>RequireAuthorization</c>.</summary>
public static class OperationsPolicies
{
    /// <summary>Read-only operational access: a credential with the <c>read</c> or <c>replay</c> scope.</summary>
    public const string Read = "samsa.operations.read";

    /// <summary>State-changing operational access (replay): a credential with the <c>replay</c> scope.</summary>
    public const string Replay = "samsa.operations.replay";
}
