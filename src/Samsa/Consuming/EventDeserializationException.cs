namespace Samsa.Consuming;

/// <summary>A record's value could not be turned into the handler's event: the record is poison and is dead-lettered at once.</summary>
public sealed class EventDeserializationException : SamsaException
{
    /// <summary>Creates the exception.</summary>
    public EventDeserializationException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public EventDeserializationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a default message.</summary>
    public EventDeserializationException()
        : base("The record's value could not be deserialized.")
    {
    }
}
