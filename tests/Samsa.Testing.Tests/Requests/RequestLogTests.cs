using Confluent.Kafka;
using Samsa.Protocol;
using ErrorCode = Samsa.Protocol.ErrorCode;

namespace Samsa.Testing.Tests.Requests;

public sealed class RequestLogTests : ClusterTestBase
{
    [Fact]
    public async Task Commits_ConsumerCommits42OnPartition3_IsLoggedWithGroupAndClient()
    {
        var topic = await Kafka.CreateTopicAsync(KafkaTestCluster.UniqueName(), partitions: 4);
        var group = KafkaTestCluster.UniqueName("group");
        using var consumer = new ConsumerBuilder<string, string>(Kafka.ConsumerConfig(group, c => c.ClientId = "reader")).Build();

        consumer.Commit([new TopicPartitionOffset(topic, 3, 42)]);

        var commit = Assert.Single(Kafka.Requests.Commits(group));
        Assert.Equal((topic, (int?)3, (long?)42), (commit.Topic, commit.Partition, commit.Offset));
        var request = Kafka.Requests.Single(r => r.Api == ApiKey.OffsetCommit);
        Assert.Equal(("reader", group), (request.ClientId, request.GroupId));
    }

    [Fact]
    public async Task Produced_RecordsBaseOffsetsAndCountsAndNeverTheDeadLetterTopic()
    {
        var topic = await Kafka.CreateTopicAsync(KafkaTestCluster.UniqueName("orders"));
        var deadLetters = await Kafka.CreateTopicAsync(topic + ".dlq");
        using var producer = Producer(c => c.LingerMs = 50);

        var sends = Enumerable.Range(0, 3).Select(i => ProduceAsync(producer, topic, $"m{i}")).ToList();
        await Task.WhenAll(sends);

        var produced = Kafka.Requests.Produced(topic);
        Assert.Equal(3, produced.Sum(p => p.RecordCount));
        Assert.Equal(0, produced[0].Offset);
        Assert.Empty(Kafka.Requests.Produced(deadLetters));
        Assert.All(Kafka.Requests, r => Assert.True(r.Version >= 0));
    }

    [Fact]
    public async Task WaitForAsync_NoMatch_TimesOutListingWhatWasLogged()
    {
        var topic = await Kafka.CreateTopicAsync(KafkaTestCluster.UniqueName());
        using var producer = Producer();
        await ProduceAsync(producer, topic, "x");

        var error = await Assert.ThrowsAsync<TimeoutException>(() => Kafka.Requests.WaitForAsync(r => r.Api == ApiKey.DeleteTopics, TimeSpan.FromMilliseconds(50), TestContext.Current.CancellationToken));

        Assert.Contains("Produce", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Log_HelperClients_AreLeftOut()
    {
        var topic = await Kafka.CreateTopicAsync(KafkaTestCluster.UniqueName());

        await Kafka.ConsumeToEndAsync(topic, cancellationToken: TestContext.Current.CancellationToken);

        Assert.DoesNotContain(Kafka.Requests, r => r.ClientId == KafkaTestCluster.HelperClientId);
        Assert.Equal(ErrorCode.None, Kafka.Requests.FirstOrDefault()?.Error ?? ErrorCode.None);
    }
}
