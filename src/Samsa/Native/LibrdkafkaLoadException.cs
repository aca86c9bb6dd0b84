namespace Samsa.Native;

/// <summary>
/// The librdkafka bundled with Confluent.Kafka could not be loaded, or Confluent.Kafka is bound to
/// another librdkafka than the one the application was built with. This is a start-up error.
/// </summary>
public sealed class LibrdkafkaLoadException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public LibrdkafkaLoadException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public LibrdkafkaLoadException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure behind it.</summary>
    public LibrdkafkaLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
