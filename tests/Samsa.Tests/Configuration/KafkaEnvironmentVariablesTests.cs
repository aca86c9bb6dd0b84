using Samsa.Configuration;

namespace Samsa.Tests.Configuration;

public class KafkaEnvironmentVariablesTests
{
    [Theory]
    [InlineData("KAFKA_BOOTSTRAP_SERVERS", "Kafka:BootstrapServers")]
    [InlineData("KAFKA_SECURITY_PROTOCOL", "Kafka:SecurityProtocol")]
    [InlineData("KAFKA_SASL_MECHANISM", "Kafka:SaslMechanism")]
    [InlineData("KAFKA_SASL_USERNAME", "Kafka:SaslUsername")]
    [InlineData("KAFKA_SASL_PASSWORD", "Kafka:SaslPassword")]
    [InlineData("KAFKA_SSL_CA_LOCATION", "Kafka:SslCaLocation")]
    [InlineData("KAFKA_PRODUCER_BATCH_SIZE", "Kafka:Producer:BatchSize")]
    [InlineData("KAFKA_CONSUMER_FETCH_QUEUE_BACKOFF_MS", "Kafka:Consumer:FetchQueueBackoffMs")]
    [InlineData("KAFKA_CONSUMER_GROUP_PROTOCOL", "Kafka:Consumer:GroupProtocol")]
    public void Variables_SeedAndProducerNames_MapToKeys(string variable, string key)
    {
        Assert.Equal(key, KafkaEnvironmentVariables.Variables[variable]);
    }

    [Fact]
    public void Variables_EverySetting_HasOneUniqueVariable()
    {
        Assert.Equal(KafkaSettingCatalog.All.Count, KafkaEnvironmentVariables.Variables.Count);
        Assert.All(KafkaEnvironmentVariables.Variables.Keys, name => Assert.StartsWith("KAFKA_", name, StringComparison.Ordinal));
    }

    [Fact]
    public void ForeignVariables_NoneIsOursOrANearMissOfOurs()
    {
        foreach (var name in KafkaEnvironmentVariables.ForeignVariables)
        {
            Assert.False(KafkaEnvironmentVariables.Variables.ContainsKey(name), name);
            Assert.Equal(KafkaVariableKind.Foreign, KafkaEnvironmentVariables.Classify(name).Kind);
        }
    }

    [Theory]
    [InlineData("KAFKA_SERVICE_HOST")]
    [InlineData("KAFKA_SERVICE_PORT")]
    [InlineData("KAFKA_SERVICE_PORT_BROKER")]
    [InlineData("KAFKA_PORT")]
    [InlineData("KAFKA_PORT_9092_TCP")]
    [InlineData("KAFKA_PORT_9092_TCP_PROTO")]
    [InlineData("KAFKA_BROKER_SERVICE_HOST")]
    [InlineData("KAFKA_BROKER_PORT_9093_TCP_ADDR")]
    public void IsForeign_KubernetesServiceLinks_True(string name)
    {
        Assert.True(KafkaEnvironmentVariables.IsForeign(name));
    }

    [Theory]
    [InlineData("KAFKA_PRODUCER_BATCH_SIZE", "Ours")]
    [InlineData("KAFKA_PRODUCER_BATCH_SIZ", "NearMiss")]
    [InlineData("KAFKA_TOPIC", "Unknown")]
    [InlineData("KAFKA_OPTS", "Foreign")]
    [InlineData("JAVA_HOME", "NotKafka")]
    public void Classify_Names_ExpectedKind(string name, string kind)
    {
        Assert.Equal(Enum.Parse<KafkaVariableKind>(kind), KafkaEnvironmentVariables.Classify(name).Kind);
    }
}
