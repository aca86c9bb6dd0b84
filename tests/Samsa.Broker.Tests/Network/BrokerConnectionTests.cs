using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using Microsoft.Extensions.Time.Testing;
using Samsa.Protocol;
using Samsa.Protocol.Framing;
using Samsa.Protocol.Messages;
using Samsa.Broker.Tests.Support;

namespace Samsa.Broker.Tests.Network;

/// <summary>The connection loop over raw TCP: ordering, limits, idle timeout, clean shutdown.</summary>
public class BrokerConnectionTests
{
    [Fact]
    public async Task Requests_PipelinedInOneWrite_AreAnsweredInOrder()
    {
        await using var broker = await SamsaBroker.StartAsync(new BrokerOptions());
        using var client = await RawKafkaClient.ConnectAsync(broker);
        var batch = Enumerable.Range(0, 30)
            .SelectMany(i => i % 2 == 0
                ? RawKafkaClient.Encode(new ApiVersionsRequest { ClientSoftwareName = "raw", ClientSoftwareVersion = "1" }, 3, 1000 + i)
                : RawKafkaClient.Encode(new MetadataRequest { Topics = null }, 12, 1000 + i))
            .ToArray();

        await client.SendAsync(batch);

        for (var i = 0; i < 30; i++)
        {
            var frame = await client.ReadFrameAsync(TimeSpan.FromSeconds(10));
            Assert.NotNull(frame);
            Assert.Equal(1000 + i, BinaryPrimitives.ReadInt32BigEndian(frame));
        }
    }

    [Fact]
    public async Task Request_LargerThanMaxRequestSize_ClosesOnlyThatConnection()
    {
        await using var broker = await SamsaBroker.StartAsync(new BrokerOptions { MaxRequestSize = 4096 });
        using var offender = await RawKafkaClient.ConnectAsync(broker);
        using var bystander = await RawKafkaClient.ConnectAsync(broker);
        var oversized = new byte[8192 + 4];
        BinaryPrimitives.WriteInt32BigEndian(oversized, 8192);

        await offender.SendAsync(oversized);

        Assert.Null(await offender.ReadFrameAsync(TimeSpan.FromSeconds(10)));
        await bystander.SendAsync(RawKafkaClient.Encode(new ApiVersionsRequest(), 0, 5));
        var answer = await bystander.ReadFrameAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(5, BinaryPrimitives.ReadInt32BigEndian(answer));
    }

    [Fact]
    public async Task ApiVersions_UnsupportedVersion_AnswersV0ErrorWithSupportedRange()
    {
        await using var broker = await SamsaBroker.StartAsync(new BrokerOptions());
        using var client = await RawKafkaClient.ConnectAsync(broker);
        var frame = RawKafkaClient.Encode(new ApiVersionsRequest(), 3, 9);
        BinaryPrimitives.WriteInt16BigEndian(frame.AsSpan(6), 99);

        await client.SendAsync(frame);

        var answer = await client.ReadFrameAsync(TimeSpan.FromSeconds(10));
        var (correlation, body) = KafkaFrames.ReadResponse(answer, ApiKey.ApiVersions, 0);
        var response = Assert.IsType<ApiVersionsResponse>(body);
        Assert.Equal(9, correlation);
        Assert.Equal((short)ErrorCode.UnsupportedVersion, response.ErrorCode);
        var range = Assert.Single(response.ApiKeys, k => k.ApiKey == (short)ApiKey.ApiVersions);
        Assert.Equal(4, range.MaxVersion);
    }

    [Fact]
    public async Task Connection_IdleLongerThanTimeout_IsClosed()
    {
        var time = new FakeTimeProvider();
        await using var broker = await SamsaBroker.StartAsync(new BrokerOptions { TimeProvider = time, IdleConnectionTimeout = TimeSpan.FromMinutes(1) });
        using var idle = await RawKafkaClient.ConnectAsync(broker);
        await idle.SendAsync(RawKafkaClient.Encode(new ApiVersionsRequest(), 0, 1));
        Assert.NotNull(await idle.ReadFrameAsync(TimeSpan.FromSeconds(10)));

        time.Advance(TimeSpan.FromSeconds(30));
        await idle.SendAsync(RawKafkaClient.Encode(new ApiVersionsRequest(), 0, 2));
        Assert.NotNull(await idle.ReadFrameAsync(TimeSpan.FromSeconds(10)));

        // Each heartbeat tick closes connections idle past the timeout.
        for (var i = 0; i < 70; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Null(await idle.ReadFrameAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Dispose_WhileFetchLongPolls_AnswersTheFetchThenCloses()
    {
        var broker = await SamsaBroker.StartAsync(new BrokerOptions { SeedTopics = { ["quiet"] = 1 } });
        using var client = await RawKafkaClient.ConnectAsync(broker);
        var fetch = new FetchRequest
        {
            MaxWaitMs = 1500,
            MinBytes = 1,
            MaxBytes = 1 << 20,
            Topics = [new() { Topic = "quiet", Partitions = [new() { Partition = 0, FetchOffset = 0, PartitionMaxBytes = 1 << 20 }] }],
        };
        await client.SendAsync(RawKafkaClient.Encode(fetch, 11, 77));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (broker.ListenerOf(0)!.BusyConnectionCount == 0 && clock.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Yield();
        }

        Assert.Equal(1, broker.ListenerOf(0)!.BusyConnectionCount);

        var disposing = broker.DisposeAsync().AsTask();

        var answer = await client.ReadFrameAsync(TimeSpan.FromSeconds(10));
        Assert.NotNull(answer);
        Assert.Equal(77, BinaryPrimitives.ReadInt32BigEndian(answer));
        Assert.Null(await client.ReadFrameAsync(TimeSpan.FromSeconds(10)));
        await disposing;
    }
}
