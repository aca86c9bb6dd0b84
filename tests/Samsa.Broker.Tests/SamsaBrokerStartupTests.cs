using Samsa.Broker.Tests.Support;
using Samsa.Protocol.Messages;
using ErrorCode = Samsa.Protocol.ErrorCode;

namespace Samsa.Broker.Tests;

/// <summary>
/// A broker restarted from its data directory answers nothing until every node has loaded its logs,
/// topics and coordinator state: a client that connects during the load waits, and then sees the
/// topic whole, never as missing (librdkafka fails queued records with _UNKNOWN_PARTITION when a
/// topic it knew comes back with no partitions).
/// </summary>
public sealed class SamsaBrokerStartupTests : IDisposable
{
    private readonly DirectoryInfo _dataDirectory = Directory.CreateTempSubdirectory("samsa-startup-");

    public void Dispose() => _dataDirectory.Delete(recursive: true);

    private BrokerOptions Options(int nodes) => new()
    {
        DataDirectory = _dataDirectory.FullName,
        NodeCount = nodes,
        DefaultReplicationFactor = (short)nodes,
    };

    private static MetadataRequest TopicMetadata(string topic) => new()
    {
        Topics = [new() { Name = topic }],
        AllowAutoTopicCreation = false,
    };

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public async Task Start_MetadataRequestDuringLoad_IsAnsweredOnlyWithTheLoadedTopic(int nodes)
    {
        var options = Options(nodes);
        options.SeedTopics["kept"] = 3;
        await (await SamsaBroker.StartAsync(options)).DisposeAsync();

        var loadHeld = new TaskCompletionSource<SamsaBroker>(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseLoad = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var starting = SamsaBroker.StartAsync(Options(nodes), null, async broker =>
        {
            loadHeld.SetResult(broker);
            await releaseLoad.Task;
        }, CancellationToken.None);

        SamsaBroker? started = null;
        try
        {
            var broker = await loadHeld.Task.WaitAsync(TimeSpan.FromSeconds(30));
            var clients = new List<RawKafkaClient>();
            var answers = new List<Task<MetadataResponse>>();
            for (var node = 0; node < nodes; node++)
            {
                var client = await RawKafkaClient.ConnectAsync(broker, node);
                clients.Add(client);
                answers.Add(client.RoundTripAsync<MetadataResponse>(TopicMetadata("kept"), 12));
            }

            // Before the fix the answer (topic unknown) came within milliseconds; give it ample time to show up.
            await Task.WhenAny(Task.WhenAny(answers), Task.Delay(TimeSpan.FromSeconds(1)));
            Assert.False(answers.Any(a => a.IsCompleted), "A node answered Metadata while its topics were still loading.");

            releaseLoad.SetResult();
            started = await starting.WaitAsync(TimeSpan.FromSeconds(30));
            foreach (var answer in answers)
            {
                var topic = Assert.Single((await answer.WaitAsync(TimeSpan.FromSeconds(30))).Topics);
                Assert.Equal((short)ErrorCode.None, topic.ErrorCode);
                Assert.Equal([0, 1, 2], topic.Partitions.Select(p => p.PartitionIndex).Order());
                Assert.All(topic.Partitions, p => Assert.True(p.LeaderId >= 0 && p.ErrorCode == (short)ErrorCode.None, $"partition {p.PartitionIndex}: leader {p.LeaderId}, error {p.ErrorCode}"));
            }

            clients.ForEach(c => c.Dispose());
        }
        finally
        {
            releaseLoad.TrySetResult();
            started ??= await starting.WaitAsync(TimeSpan.FromSeconds(30));
            await started.DisposeAsync();
        }
    }
}
