namespace Samsa.Provisioning;

/// <summary>What an existing topic that differs from its declaration does to start-up.</summary>
public enum TopicDriftPolicy
{
    /// <summary>Drift is an error: the service does not start.</summary>
    Error,

    /// <summary>Drift is logged as a warning; the service starts.</summary>
    Warn,
}
