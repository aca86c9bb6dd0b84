namespace Samsa.Consuming.Retry;

/// <summary>Thrown by a handler to say the record can never be handled: it is dead-lettered without retries.</summary>
public sealed class PermanentFailureException : SamsaException
{
    /// <summary>Creates the exception.</summary>
    public PermanentFailureException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public PermanentFailureException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public PermanentFailureException()
        : base("The record cannot be handled.")
    {
    }
}

/// <summary>Thrown by a handler to say a later attempt may succeed: the record is retried.</summary>
public sealed class TransientFailureException : SamsaException
{
    /// <summary>Creates the exception.</summary>
    public TransientFailureException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public TransientFailureException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public TransientFailureException()
        : base("The record could not be handled this time.")
    {
    }

    /// <inheritdoc />
    public override bool IsTransient => true;
}

/// <summary>
/// Thrown by a handler to say a dependency is down: the partition pauses without committing until
/// <see cref="ConsumerOptions.DependencyProbe"/> says it is back (see <see cref="FailureKind.DependencyDown"/>).
/// </summary>
public sealed class DependencyDownException : SamsaException
{
    /// <summary>Creates the exception.</summary>
    public DependencyDownException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public DependencyDownException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public DependencyDownException()
        : base("A dependency of the handler is down.")
    {
    }

    /// <inheritdoc />
    public override bool IsTransient => true;
}
