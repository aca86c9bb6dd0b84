using Microsoft.Extensions.Configuration;
using Samsa.EventService.Embedded;

namespace Samsa.EventService.Tests;

public sealed class EmbeddedKafkaTests
{
    private static readonly Func<string, string?> NoVariables = _ => null;

    [Theory]
    [InlineData("Kafka:BootstrapServers", "broker:9092")]
    [InlineData("Kafka:BootstrapServers:0", "broker:9092")]
    [InlineData("Kafka:Properties:bootstrap.servers", "broker:9092")]
    public void HasBootstrapServers_ConfiguredInAnyForm_IsTrue(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new(key, value)]).Build();

        Assert.True(EmbeddedKafka.HasBootstrapServers(configuration, NoVariables));
    }

    [Fact]
    public void HasBootstrapServers_NothingConfigured_IsFalse()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Kafka:BootstrapServers", " ")]).Build();

        Assert.False(EmbeddedKafka.HasBootstrapServers(configuration, NoVariables));
    }

    [Theory]
    [InlineData("broker:9092", true)]
    [InlineData("  ", false)]
    public void HasBootstrapServers_OnlyTheVariable_FollowsWhetherItHasAValue(string value, bool expected)
    {
        var configuration = new ConfigurationBuilder().Build();

        Assert.Equal(expected, EmbeddedKafka.HasBootstrapServers(configuration, name => name == "KAFKA_BOOTSTRAP_SERVERS" ? value : null));
    }
}
