using System.Globalization;
using Samsa.Configuration;
using Samsa.Native;

namespace Samsa.Tests.Configuration;

public class KafkaDefaultsTests
{
    [Theory]
    [InlineData("batch.size", KafkaDefaults.Limits.MinBatchSize, int.MaxValue)]
    [InlineData("linger.ms", 0, KafkaDefaults.Limits.MaxLingerMs)]
    [InlineData("request.timeout.ms", KafkaDefaults.Limits.MinRequestTimeoutMs, KafkaDefaults.Limits.MaxRequestTimeoutMs)]
    [InlineData("message.max.bytes", KafkaDefaults.Limits.MinMessageMaxBytes, KafkaDefaults.Limits.MaxMessageMaxBytes)]
    [InlineData("session.timeout.ms", KafkaDefaults.Limits.MinGroupTimeoutMs, KafkaDefaults.Limits.MaxGroupTimeoutMs)]
    [InlineData("heartbeat.interval.ms", KafkaDefaults.Limits.MinGroupTimeoutMs, KafkaDefaults.Limits.MaxGroupTimeoutMs)]
    [InlineData("max.poll.interval.ms", KafkaDefaults.Limits.MinMaxPollIntervalMs, KafkaDefaults.Limits.MaxMaxPollIntervalMs)]
    [InlineData("fetch.min.bytes", 0, int.MaxValue)]
    [InlineData("fetch.max.bytes", 0, KafkaDefaults.Limits.MaxFetchMaxBytes)]
    [InlineData("fetch.wait.max.ms", 0, KafkaDefaults.Limits.MaxFetchWaitMs)]
    [InlineData("max.partition.fetch.bytes", KafkaDefaults.Limits.MinMaxPartitionFetchBytes, KafkaDefaults.Limits.MaxMaxPartitionFetchBytes)]
    [InlineData("fetch.queue.backoff.ms", 0, KafkaDefaults.Limits.MaxFetchWaitMs)]
    [InlineData("delivery.timeout.ms", 0, int.MaxValue)]
    public void Limits_SameAsLoadedLibrdkafka(string property, int minimum, int maximum)
    {
        var range = LibrdkafkaPropertyCatalog.Shared.Properties[property].Range;

        Assert.Equal(
            $"{minimum.ToString(CultureInfo.InvariantCulture)} .. {maximum.ToString(CultureInfo.InvariantCulture)}",
            range);
    }

    [Fact]
    public void Settings_EveryLibrdkafkaNameAndAlias_KnownToLoadedLibrdkafka()
    {
        var catalog = LibrdkafkaPropertyCatalog.Shared;

        foreach (var name in KafkaSettingCatalog.All.SelectMany(setting => setting.EquivalentNames))
        {
            Assert.True(catalog.Contains(name), name);
        }
    }

    [Fact]
    public void Settings_Aliases_AreLibrdkafkaAliasesOfTheSameProperty()
    {
        var catalog = LibrdkafkaPropertyCatalog.Shared;

        foreach (var setting in KafkaSettingCatalog.All.Where(s => s.Aliases.Count > 0))
        {
            var canonical = setting.EquivalentNames.Select(name => catalog.Properties[name].AliasOf ?? name).Distinct().ToList();
            Assert.True(canonical.Count == 1, $"{setting.Path}: {string.Join(", ", canonical)}");
        }
    }

    [Fact]
    public void Production_SeedValues()
    {
        Assert.Equal(32_768, KafkaDefaults.Production.BatchSize);
        Assert.Equal(Confluent.Kafka.CompressionType.Snappy, KafkaDefaults.Production.CompressionType);
        Assert.Equal(Confluent.Kafka.SecurityProtocol.SaslSsl, KafkaDefaults.Production.SecurityProtocol);
        Assert.Equal(Confluent.Kafka.SaslMechanism.ScramSha512, KafkaDefaults.Production.SaslMechanism);
        Assert.True(KafkaDefaults.Production.EnableIdempotence);
    }
}
