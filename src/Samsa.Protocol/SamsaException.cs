namespace Samsa;

/// <summary>
/// Base type of every exception Samsa throws on purpose. <see cref="IsTransient"/> says whether
/// the same operation may succeed when tried again.
/// </summary>
public class SamsaException : Exception
{
    public SamsaException(string message)
        : base(message)
    {
    }

    public SamsaException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    public SamsaException()
    {
    }

    /// <summary>True when retrying the operation may succeed (a broker moved, a timeout, a network blip).</summary>
    public virtual bool IsTransient => false;
}
