using Microsoft.Extensions.Configuration;
using Samsa.EventService.Embedded;

namespace Samsa.EventService.Tests;

public sealed class EmbeddedKafkaTests
{
    [Theory]
    [InlineData("Kafka:BootstrapServers", "broker:9092")]
    [InlineData("Kafka:BootstrapServers:0", "broker:9092")]
    [InlineData("Kafka:Properties:bootstrap.servers", "broker:9092")]
    public void HasBootstrapServers_ConfiguredInAnyForm_IsTrue(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new(key, value)]).Build();

        Assert.True(EmbeddedKafka.HasBootstrapServers(configuration) || Environment.GetEnvironmentVariable("KAFKA_BOOTSTRAP_SERVERS") is not null);
    }

    [Fact]
    public void HasBootstrapServers_NothingConfigured_IsFalseUnlessTheVariableIsSet()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Kafka:BootstrapServers", " ")]).Build();

        Assert.Equal(!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("KAFKA_BOOTSTRAP_SERVERS")), EmbeddedKafka.HasBootstrapServers(configuration));
    }
}
