namespace Samsa.Protocol;

/// <summary>A generated message, header or data struct that reads and writes itself at a given version.</summary>
public interface IKafkaMessage
{
    /// <summary>The oldest version this type can read and write.</summary>
    short LowestVersion { get; }

    /// <summary>The newest version this type can read and write.</summary>
    short HighestVersion { get; }

    /// <summary>Replaces this message's fields with those read from <paramref name="reader"/> in the encoding of <paramref name="version"/>.</summary>
    void Read(ref KafkaReader reader, short version);

    /// <summary>Writes this message to <paramref name="writer"/> in the encoding of <paramref name="version"/>.</summary>
    void Write(ref KafkaWriter writer, short version);
}

/// <summary>A request or response body of one Kafka API.</summary>
public interface IKafkaApiMessage : IKafkaMessage
{
    /// <summary>The API this body belongs to.</summary>
    ApiKey ApiKey { get; }
}

/// <summary>The body of a request a client sends to a broker.</summary>
public interface IKafkaRequest : IKafkaApiMessage
{
}

/// <summary>The body of a broker's response to a request.</summary>
public interface IKafkaResponse : IKafkaApiMessage
{
}
