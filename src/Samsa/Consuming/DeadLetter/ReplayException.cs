namespace Samsa.Consuming.DeadLetter;

/// <summary>A replay could not run: the dead-letter topic is missing, or Kafka failed while reading or writing.</summary>
public sealed class ReplayException : SamsaException
{
    /// <summary>Creates the exception.</summary>
    public ReplayException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ReplayException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public ReplayException()
        : base("The replay failed.")
    {
    }

    /// <summary>True when the dead-letter topic does not exist.</summary>
    public bool TopicMissing { get; init; }

    /// <summary>How many records were written back before the failure.</summary>
    public int ReplayedBeforeFailure { get; init; }
}
