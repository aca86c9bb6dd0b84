using Confluent.Kafka;

namespace Samsa.Benchmarks.Broker;

/// <summary>
/// "mock-host" mode: hosts librdkafka's built-in mock cluster (test.mock.num.brokers) in this
/// process, prints its bootstrap address and waits for stdin to close.
/// </summary>
internal static class MockClusterHost
{
    public static int Run()
    {
        Samsa.Native.LibrdkafkaLoader.EnsureLoaded();
        var config = new AdminClientConfig { BootstrapServers = "unused:9092" };
        config.Set("test.mock.num.brokers", "1");
        using var admin = new AdminClientBuilder(config).Build();
        var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
        Console.WriteLine("bootstrap.servers=" + string.Join(',', metadata.Brokers.Select(b => $"{b.Host}:{b.Port}")));
        Console.Out.Flush();
        Console.In.ReadToEnd();
        return 0;
    }
}
