namespace Samsa.Protocol;

/// <summary>A generated message, header or data struct that reads and writes itself at a given version.</summary>
public interface IKafkaMessage
{
    short LowestVersion { get; }

    short HighestVersion { get; }

    void Read(ref KafkaReader reader, short version);

    void Write(ref KafkaWriter writer, short version);
}

/// <summary>A request or response body of one Kafka API.</summary>
public interface IKafkaApiMessage : IKafkaMessage
{
    ApiKey ApiKey { get; }
}

public interface IKafkaRequest : IKafkaApiMessage
{
}

public interface IKafkaResponse : IKafkaApiMessage
{
}
