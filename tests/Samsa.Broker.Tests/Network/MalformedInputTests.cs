using System.Buffers.Binary;
using System.Net.Sockets;
using Confluent.Kafka;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Network;

/// <summary>Garbage and truncated frames close only the connection that sent them.</summary>
public class MalformedInputTests
{
    private static async Task SendAsync(string address, byte[] bytes, bool readUntilClosed)
    {
        var (host, port) = (address.Split(':')[0], int.Parse(address.Split(':')[1]));
        using var client = new TcpClient();
        await client.ConnectAsync(host, port);
        var stream = client.GetStream();
        await stream.WriteAsync(bytes);
        if (readUntilClosed)
        {
            var buffer = new byte[1024];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (await stream.ReadAsync(buffer, timeout.Token) > 0)
            {
            }
        }
    }

    private static byte[] Frame(params byte[] body)
    {
        var frame = new byte[body.Length + 4];
        BinaryPrimitives.WriteInt32BigEndian(frame, body.Length);
        body.CopyTo(frame, 4);
        return frame;
    }

    [Fact]
    public async Task Connection_GarbageOnManyConnections_BrokerKeepsServingHealthyClient()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.SeedTopics["ok"] = 1);
        var random = new Random(42);
        var attacks = new List<Task>();
        for (var i = 0; i < 40; i++)
        {
            var garbage = new byte[random.Next(1, 200)];
            random.NextBytes(garbage);
            byte[] payload = (i % 5) switch
            {
                0 => garbage,
                1 => Frame([0x00, 0x12, 0x00, 0x63, 0, 0, 0, 1]),                // ApiVersions v99: answered, then fine
                2 => Frame([0x7F, 0x7F, 0x00, 0x00, 0, 0, 0, 1, 0xFF, 0xFF]),    // unknown API key
                3 => [0x7F, 0xFF, 0xFF, 0xFF, 1, 2, 3],                          // 2 GiB frame size
                _ => Frame([0x00, 0x03, 0x00, 0x09, 0, 0, 0, 1, 0x00]),          // Metadata v9 cut short
            };
            attacks.Add(SendAsync(broker.BootstrapServers, payload, readUntilClosed: i % 5 is 2 or 3 or 4));
        }

        await Task.WhenAll(attacks);

        using var producer = new ProducerBuilder<Null, string>(broker.ProducerConfig()).Build();
        var delivered = await producer.ProduceAsync("ok", new Message<Null, string> { Value = "still here" });
        Assert.Equal(0, delivered.Offset.Value);
    }

    [Fact]
    public async Task Connection_NegativeFrameSize_IsClosedByBroker()
    {
        await using var broker = await EmbeddedBroker.StartAsync();

        // Reading until the broker closes proves the connection was dropped (a hang would time out).
        await SendAsync(broker.BootstrapServers, [0xFF, 0xFF, 0xFF, 0xF0, 1, 2], readUntilClosed: true);
    }
}
