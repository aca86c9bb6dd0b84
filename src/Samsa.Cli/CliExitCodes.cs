namespace Samsa.Cli;

/// <summary>Exit codes shared by every command, so scripts can tell a finding from a mistake.</summary>
internal static class CliExitCodes
{
    /// <summary>Done; nothing failed.</summary>
    public const int Success = 0;

    /// <summary>The command ran and found a problem: a failed readiness check, lag above the limit, a replay that could not finish.</summary>
    public const int Findings = 1;

    /// <summary>The command could not run as asked: bad arguments or invalid Kafka settings.</summary>
    public const int InvalidInput = 2;

    /// <summary>The cluster could not be reached or refused the client.</summary>
    public const int Unreachable = 3;
}
