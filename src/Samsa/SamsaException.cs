namespace Samsa;

/// <summary>
/// Base type of every exception Samsa throws on purpose. <see cref="IsTransient"/> says whether
/// the same operation may succeed when tried again.
/// </summary>
public class SamsaException : Exception
{
    /// <summary>Creates the exception with a message that says what failed.</summary>
    public SamsaException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public SamsaException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public SamsaException()
    {
    }

    /// <summary>True when retrying the operation may succeed (a broker moved, a timeout, a network blip).</summary>
    public virtual bool IsTransient => false;
}
