using Confluent.Kafka;
using Samsa.Configuration;
using static Samsa.Tests.Configuration.KafkaTestSupport;

namespace Samsa.Tests.Configuration;

public class KafkaClientConfigFactoryTests
{
    [Fact]
    public void CreateProducerConfig_ProductionProfile_SeedProductionDefaults()
    {
        var config = KafkaClientConfigFactory.CreateProducerConfig(Production());

        Assert.Equal(Acks.All, config.Acks);
        Assert.True(config.EnableIdempotence);
        Assert.Equal(CompressionType.Snappy, config.CompressionType);
        Assert.Equal(32 * 1024, config.BatchSize);
        Assert.Equal(KafkaDefaults.Production.LingerMs, config.LingerMs);
        Assert.Equal(KafkaDefaults.Production.DeliveryTimeoutMs, config.MessageTimeoutMs);
        Assert.Equal(SecurityProtocol.SaslSsl, config.SecurityProtocol);
        Assert.Equal(SaslMechanism.ScramSha512, config.SaslMechanism);
        Assert.Equal("test-service", config.ClientId);
    }

    [Fact]
    public void CreateProducerConfig_DevelopmentProfile_DevelopmentDefaults()
    {
        var config = KafkaClientConfigFactory.CreateProducerConfig(Development());

        Assert.Equal(SecurityProtocol.Plaintext, config.SecurityProtocol);
        Assert.Null(config.SaslMechanism);
        Assert.False(config.EnableIdempotence);
        Assert.Equal(CompressionType.None, config.CompressionType);
        Assert.Equal(KafkaDefaults.Development.DeliveryTimeoutMs, config.MessageTimeoutMs);
        Assert.Equal("localhost:9092", config.BootstrapServers);
    }

    [Fact]
    public void CreateProducerConfig_ExplicitSettings_WinOverProfileDefaults()
    {
        var options = Load(
            environment: Env(SeedEnvironment, ("KAFKA_PRODUCER_BATCH_SIZE", "65536"), ("KAFKA_PRODUCER_COMPRESSION_TYPE", "zstd")),
            configure: o => o.Producer.LingerMs = 20);

        var config = KafkaClientConfigFactory.CreateProducerConfig(options);

        Assert.Equal(65536, config.BatchSize);
        Assert.Equal(CompressionType.Zstd, config.CompressionType);
        Assert.Equal(20, config.LingerMs);
        Assert.Empty(Errors(options));
    }

    [Fact]
    public void CreateProducerConfig_RawAliasOverridesDefault_OneSpellingOnly()
    {
        var options = Production(o => o.Producer.Properties["delivery.timeout.ms"] = "60000");

        var config = KafkaClientConfigFactory.CreateProducerConfig(options);

        Assert.Equal("60000", config.Get("delivery.timeout.ms"));
        Assert.Null(config.Get("message.timeout.ms"));
    }

    [Fact]
    public void CreateProducerConfig_ClientMapOverSharedMap_ClientWins()
    {
        var options = Development(o =>
        {
            o.Properties["retry.backoff.ms"] = "100";
            o.Producer.Properties["retry.backoff.ms"] = "250";
            o.Properties["socket.keepalive.enable"] = "true";
        });

        var producer = KafkaClientConfigFactory.CreateProducerConfig(options);
        var consumer = KafkaClientConfigFactory.CreateConsumerConfig(options);

        Assert.Equal(250, producer.RetryBackoffMs);
        Assert.Equal(100, consumer.RetryBackoffMs);
        Assert.True(consumer.SocketKeepaliveEnable);
    }

    [Fact]
    public void CreateConsumerConfig_ConsumerSettings_Applied()
    {
        var options = Load(environment: Env(
            ("KAFKA_BOOTSTRAP_SERVERS", "a:9092"),
            ("KAFKA_CONSUMER_GROUP_ID", "orders"),
            ("KAFKA_CONSUMER_AUTO_OFFSET_RESET", "latest"),
            ("KAFKA_CONSUMER_FETCH_QUEUE_BACKOFF_MS", "250"),
            ("KAFKA_CONSUMER_ISOLATION_LEVEL", "read_uncommitted"),
            ("KAFKA_PRODUCER_BATCH_SIZE", "1024")), environmentName: "Development");

        var config = KafkaClientConfigFactory.CreateConsumerConfig(options);

        Assert.Equal("orders", config.GroupId);
        Assert.Equal(AutoOffsetReset.Latest, config.AutoOffsetReset);
        Assert.Equal(250, config.FetchQueueBackoffMs);
        Assert.Equal(IsolationLevel.ReadUncommitted, config.IsolationLevel);
        Assert.Null(config.Get("batch.size"));
    }

    [Fact]
    public void CreateAdminClientConfig_OnlyConnectionSettings()
    {
        var config = KafkaClientConfigFactory.CreateAdminClientConfig(Production());

        Assert.Equal("your-kafka-broker:9092", config.BootstrapServers);
        Assert.Equal(SecurityProtocol.SaslSsl, config.SecurityProtocol);
        Assert.Null(config.Get("batch.size"));
        Assert.Null(config.Get("auto.offset.reset"));
    }

    [Fact]
    public void CreateProducerConfig_EveryValue_AcceptedByLibrdkafka()
    {
        var options = Production(o =>
        {
            o.Producer.TransactionalId = "tx";
            o.Producer.RequestTimeoutMs = 10_000;
            o.Producer.MessageMaxBytes = 2_000_000;
        });
        var catalog = Samsa.Native.LibrdkafkaPropertyCatalog.Shared;

        foreach (var (name, value) in KafkaClientConfigFactory.CreateProducerConfig(options).Where(p => !p.Key.StartsWith("dotnet.", StringComparison.Ordinal)))
        {
            Assert.Equal((Samsa.Native.LibrdkafkaConfResult.Ok, string.Empty), catalog.Check(name, value));
        }
    }
}
