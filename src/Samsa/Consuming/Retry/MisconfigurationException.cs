namespace Samsa.Consuming.Retry;

/// <summary>
/// Thrown (by a handler, a deserializer, or Samsa itself) to say that the library or the application is misconfigured:
/// a setting is missing, a connection string is wrong, an API is used in a way the consumer does not allow. Retrying
/// cannot help and dead-lettering would only move good records aside, so it is <see cref="FailureKind.Fatal"/>: the
/// worker stops without retrying or dead-lettering the record, and its health check reports Unhealthy until the
/// service is fixed and restarted.
/// </summary>
/// <remarks>
/// To treat other exception types the same way, classify them with <see cref="FailureClassifier.Fatal{TException}"/>
/// or <see cref="FailureClassifier.When"/>.
/// </remarks>
public sealed class MisconfigurationException : SamsaException
{
    /// <summary>Creates the exception; the message should say what is misconfigured and which setting fixes it.</summary>
    public MisconfigurationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public MisconfigurationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public MisconfigurationException()
        : base("The consumer or its handler is misconfigured.")
    {
    }
}
