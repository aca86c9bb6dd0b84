namespace Samsa;

/// <summary>
/// The exit codes of a host run by <see cref="Microsoft.Extensions.Hosting.SamsaHostRunExtensions.RunSamsaAsync"/>,
/// so an orchestrator or a script can tell a settings mistake from a cluster that is not there. They match the
/// <c>samsa</c> command's codes for the same causes.
/// </summary>
public static class SamsaExitCodes
{
    /// <summary>The host ran and stopped normally.</summary>
    public const int Success = 0;

    /// <summary>The host did not start: its settings are invalid (options validation failed).</summary>
    public const int InvalidSettings = 2;

    /// <summary>The host did not start: a Kafka start-up check failed (the cluster did not answer, refused the client, or a topic could not be provisioned).</summary>
    public const int StartupCheckFailed = 3;
}
