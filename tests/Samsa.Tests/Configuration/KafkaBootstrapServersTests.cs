using Samsa.Configuration;

namespace Samsa.Tests.Configuration;

public class KafkaBootstrapServersTests
{
    [Theory]
    [InlineData("broker:9092")]
    [InlineData("10.0.0.1:1")]
    [InlineData("[::1]:65535")]
    [InlineData("SASL_SSL://broker.example.com:9093")]
    public void CheckEntry_Valid_Null(string entry)
    {
        Assert.Null(KafkaBootstrapServers.CheckEntry(entry));
    }

    [Theory]
    [InlineData("broker", "has no port")]
    [InlineData("broker:", "has no port")]
    [InlineData("[::1]", "has no port")]
    [InlineData("[::1:9092", "closing")]
    [InlineData("bro ker:9092", "invalid host")]
    [InlineData("broker:-1", "not a number")]
    [InlineData("broker:70000", "outside 1-65535")]
    public void CheckEntry_Invalid_SaysWhy(string entry, string expected)
    {
        Assert.Contains(expected, KafkaBootstrapServers.CheckEntry(entry), StringComparison.Ordinal);
    }

    [Fact]
    public void TryParseList_SeedJson_OneEntry()
    {
        Assert.True(KafkaBootstrapServers.TryParseList("[\"your-kafka-broker:9092\"]", out var servers, out _));
        Assert.Equal(["your-kafka-broker:9092"], servers);
    }

    [Theory]
    [InlineData("{\"a\": 1}")]
    [InlineData("[\"a:1\",]")]
    [InlineData("[null]")]
    [InlineData("[{\"host\": \"a\"}]")]
    public void TryParseList_BadJson_Error(string raw)
    {
        Assert.False(KafkaBootstrapServers.TryParseList(raw, out _, out var error));
        Assert.NotNull(error);
    }
}
