namespace Samsa.Testing.Faults;

/// <summary>What a fault does to the requests it catches.</summary>
public enum FaultKind
{
    /// <summary>Answers with an error code instead of serving the request.</summary>
    Error,

    /// <summary>Serves the request after a delay.</summary>
    Delay,

    /// <summary>Closes the client's connection instead of answering.</summary>
    Disconnect,

    /// <summary>Serves the request and reports a throttle time in the response, as a broker over its quota does.</summary>
    Throttle,

    /// <summary>Serves fetches without records for the matching partitions.</summary>
    PauseFetch,

    /// <summary>Reports the matching partitions without a leader, and refuses reads and writes to them.</summary>
    Leaderless,
}
