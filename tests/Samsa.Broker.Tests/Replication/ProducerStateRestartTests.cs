using System.Text;
using Samsa.Broker.Tests.Support;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.Protocol.Records;

namespace Samsa.Broker.Tests.Replication;

/// <summary>
/// Idempotent-producer state survives a restart from the data directory: it is rebuilt from the
/// log, so a batch whose acknowledgement a crash lost and which the producer retries against the
/// restarted broker is answered with its original offset, not appended a second time (what the
/// chaos test saw with librdkafka: the in-flight batches of a partition stored twice after a kill).
/// Over TCP with the protocol client, so the produce path is the one a client takes.
/// </summary>
public sealed class ProducerStateRestartTests : IDisposable
{
    private const string Topic = "idem";
    private const int RecordsPerBatch = 5;

    private readonly DirectoryInfo _dataDirectory = Directory.CreateTempSubdirectory("samsa-producer-state-");
    private readonly DirectoryInfo _crashImage = Directory.CreateTempSubdirectory("samsa-producer-state-crash-");

    public void Dispose()
    {
        _dataDirectory.Delete(recursive: true);
        _crashImage.Delete(recursive: true);
    }

    /// <param name="crash">
    /// True: restart from a copy of the data directory taken while the broker ran (as a SIGKILL
    /// leaves it: no clean-shutdown marker, no close-time flush); false: after a clean shutdown.
    /// </param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Restart_RetriedBatches_AnsweredWithOriginalOffsetsAndNotAppendedAgain(bool crash)
    {
        var (producerId, epoch, directory) = await WriteThreeBatchesAsync(crash);

        await using var restarted = await StartAsync(directory);
        using var client = await RawKafkaClient.ConnectAsync(restarted);

        // The last batch and an earlier one, as librdkafka resends its in-flight batches after a reconnect.
        Assert.Equal((ErrorCode.None, 10L), await ProduceAsync(client, producerId, epoch, baseSequence: 10));
        Assert.Equal((ErrorCode.None, 5L), await ProduceAsync(client, producerId, epoch, baseSequence: 5));
        Assert.Equal(15, HighWatermark(restarted));

        // The sequence goes on where the log left it: a gap is refused, the next batch appended.
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, (await ProduceAsync(client, producerId, epoch, baseSequence: 20)).Error);
        Assert.Equal((ErrorCode.None, 15L), await ProduceAsync(client, producerId, epoch, baseSequence: 15));
        Assert.Equal(20, HighWatermark(restarted));
    }

    [Fact]
    public async Task Restart_TornLastBatch_StateFollowsTheRecoveredLogAndTheRetryIsAppended()
    {
        var (producerId, epoch, directory) = await WriteThreeBatchesAsync(crash: true);
        var segment = Directory.GetFiles(Path.Combine(directory, "node-0", $"{Topic}-0"), "*.log").Single();
        using (var file = File.Open(segment, FileMode.Open))
        {
            // Into the middle of the last batch: recovery cuts it, so the log ends at offset 10.
            file.SetLength(file.Length - 20);
        }

        await using var restarted = await StartAsync(directory);
        Assert.Equal(10, HighWatermark(restarted));
        using var client = await RawKafkaClient.ConnectAsync(restarted);

        // The second batch is still there and known; the lost third one is the next in sequence.
        Assert.Equal((ErrorCode.None, 5L), await ProduceAsync(client, producerId, epoch, baseSequence: 5));
        Assert.Equal((ErrorCode.None, 10L), await ProduceAsync(client, producerId, epoch, baseSequence: 10));
        Assert.Equal(15, HighWatermark(restarted));
    }

    /// <summary>Batches with sequences 0-4, 5-9 and 10-14 at offsets 0, 5 and 10; returns the directory to restart from.</summary>
    private async Task<(long ProducerId, short Epoch, string Directory)> WriteThreeBatchesAsync(bool crash)
    {
        await using var broker = await StartAsync(_dataDirectory.FullName);
        using var client = await RawKafkaClient.ConnectAsync(broker);
        var producer = await client.RoundTripAsync<InitProducerIdResponse>(new InitProducerIdRequest { TransactionalId = null, TransactionTimeoutMs = -1 }, 4);
        Assert.Equal((short)ErrorCode.None, producer.ErrorCode);
        for (var batch = 0; batch < 3; batch++)
        {
            Assert.Equal((ErrorCode.None, batch * 5L), await ProduceAsync(client, producer.ProducerId, producer.ProducerEpoch, baseSequence: batch * RecordsPerBatch));
        }

        if (crash)
        {
            CopyDirectory(_dataDirectory.FullName, _crashImage.FullName);
            return (producer.ProducerId, producer.ProducerEpoch, _crashImage.FullName);
        }

        return (producer.ProducerId, producer.ProducerEpoch, _dataDirectory.FullName);
    }

    private static Task<SamsaBroker> StartAsync(string directory) =>
        SamsaBroker.StartAsync(new BrokerOptions { DataDirectory = directory, SeedTopics = { [Topic] = 1 } });

    private static long HighWatermark(SamsaBroker broker)
    {
        Assert.True(broker.Cluster.TryGetTopic(Topic, out var topic));
        return topic.Partitions[0].HighWatermark;
    }

    private static async Task<(ErrorCode Error, long BaseOffset)> ProduceAsync(RawKafkaClient client, long producerId, short epoch, int baseSequence)
    {
        using var builder = new RecordBatchBuilder { ProducerId = producerId, ProducerEpoch = epoch, BaseSequence = baseSequence };
        for (var i = 0; i < RecordsPerBatch; i++)
        {
            builder.Append(1_700_000_000_000 + i, null, Encoding.UTF8.GetBytes($"record-{baseSequence + i}"));
        }

        var request = new ProduceRequest
        {
            Acks = -1,
            TimeoutMs = 5000,
            TopicData = [new() { Name = Topic, PartitionData = [new() { Index = 0, Records = builder.ToArray() }] }],
        };
        var response = await client.RoundTripAsync<ProduceResponse>(request, 9);
        var partition = Assert.Single(Assert.Single(response.Responses).PartitionResponses);
        return ((ErrorCode)partition.ErrorCode, partition.BaseOffset);
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var directory in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        }

        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }
}
