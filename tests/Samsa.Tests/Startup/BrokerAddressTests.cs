using Samsa.Startup;

namespace Samsa.Tests.Startup;

public class BrokerAddressTests
{
    [Theory]
    [InlineData("broker:9092", "broker", 9092)]
    [InlineData(" SASL_SSL://kafka-1.example:9093 ", "kafka-1.example", 9093)]
    [InlineData("[::1]:9092", "::1", 9092)]
    [InlineData("127.0.0.1:1", "127.0.0.1", 1)]
    public void TryParse_ValidEntry_SplitsHostAndPort(string entry, string host, int port)
    {
        Assert.True(BrokerAddress.TryParse(entry, out var address, out var error));
        Assert.Null(error);
        Assert.Equal(host, address.Host);
        Assert.Equal(port, address.Port);
    }

    [Theory]
    [InlineData("broker", "has no port")]
    [InlineData("broker:http", "is not a number")]
    [InlineData("broker:70000", "outside 1-65535")]
    [InlineData("HTTP://broker:9092", "unknown protocol prefix")]
    public void TryParse_BadEntry_SaysWhy(string entry, string problem)
    {
        Assert.False(BrokerAddress.TryParse(entry, out _, out var error));
        Assert.Contains(problem, error, StringComparison.Ordinal);
    }
}
