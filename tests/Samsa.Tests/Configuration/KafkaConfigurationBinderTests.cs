using Confluent.Kafka;
using Samsa.Configuration;
using static Samsa.Tests.Configuration.KafkaTestSupport;

namespace Samsa.Tests.Configuration;

public class KafkaConfigurationBinderTests
{
    [Fact]
    public void Load_SeedEnvironmentVariables_ProducerConfigHasSeedValues()
    {
        var options = Production();

        var config = KafkaClientConfigFactory.CreateProducerConfig(options);

        Assert.Equal("your-kafka-broker:9092", config.BootstrapServers);
        Assert.Equal(SecurityProtocol.SaslSsl, config.SecurityProtocol);
        Assert.Equal(SaslMechanism.ScramSha512, config.SaslMechanism);
        Assert.Equal("your-username", config.SaslUsername);
        Assert.Equal("your-password", config.SaslPassword);
        Assert.Empty(Errors(options));
    }

    [Fact]
    public void BindEnvironment_JsonList_AllEntriesKept()
    {
        var options = Load(environment: Env(("KAFKA_BOOTSTRAP_SERVERS", "[\"a:9092\", \"b:9093\"]")));

        Assert.Equal(["a:9092", "b:9093"], options.BootstrapServers);
        Assert.Empty(options.BindingIssues);
    }

    [Fact]
    public void BindEnvironment_CommaList_EntriesTrimmed()
    {
        var options = Load(environment: Env(("KAFKA_BOOTSTRAP_SERVERS", "a:9092, b:9093 ,c:9094")));

        Assert.Equal(["a:9092", "b:9093", "c:9094"], options.BootstrapServers);
    }

    [Fact]
    public void BindSection_BootstrapArray_AllEntriesKept()
    {
        var options = Load(Config(("Kafka:BootstrapServers:0", "a:9092"), ("Kafka:BootstrapServers:1", "b:9092")));

        Assert.Equal(["a:9092", "b:9092"], options.BootstrapServers);
    }

    [Theory]
    [InlineData("[\"a:9092\"", "not a valid JSON list")]
    [InlineData("[]", "empty list")]
    [InlineData("", null)]
    [InlineData("a:9092,,b:9092", "empty entry")]
    [InlineData("[\"a:9092\", 9092]", "every entry must be")]
    public void BindEnvironment_MalformedBootstrapList_ErrorNamesVariable(string value, string? expected)
    {
        var options = Load(environment: Env(("KAFKA_BOOTSTRAP_SERVERS", value)));

        var issues = Errors(options);
        var issue = Assert.Single(issues, i => i.Message.Contains("KAFKA_BOOTSTRAP_SERVERS", StringComparison.Ordinal));
        if (expected is not null)
        {
            Assert.Contains(expected, issue.Message, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains("is required", issue.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void BindSection_SeedBatchSizeKey_ErrorNamesNearestSetting()
    {
        var options = Load(Config(("Kafka:BootstrapServers", "a:9092"), ("Kafka:Producer:batch_size", "32768")));

        var issue = Assert.Single(options.BindingIssues);
        Assert.Equal(KafkaConfigurationSeverity.Error, issue.Severity);
        Assert.Equal("`Kafka:Producer:batch_size` is not a setting; did you mean `BatchSize` (`batch.size`)?", issue.Message);
        Assert.Null(options.Producer.BatchSize);
    }

    [Fact]
    public void BindSection_AiokafkaMaxBatchSizeKey_ErrorNamesBatchSizeAndOrigin()
    {
        var options = Load(Config(("Kafka:Producer:max_batch_size", "32768")));

        var issue = Assert.Single(options.BindingIssues);
        Assert.Contains("did you mean `BatchSize` (`batch.size`)?", issue.Message, StringComparison.Ordinal);
        Assert.Contains("aiokafka", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BindSection_KeyInWrongGroup_SuggestsFullKey()
    {
        var options = Load(Config(("Kafka:batch_size", "1")));

        Assert.Contains("did you mean `Kafka:Producer:BatchSize` (`batch.size`)?", Assert.Single(options.BindingIssues).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BindSection_TypoInGroupName_SuggestsGroup()
    {
        var options = Load(Config(("Kafka:Producr:Acks", "all")));

        Assert.Contains("did you mean `Kafka:Producer`?", Assert.Single(options.BindingIssues).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BindSection_UnrelatedKey_PointsToProperties()
    {
        var options = Load(Config(("Kafka:Producer:retry.backoff.ms", "100")));

        Assert.Contains("`Kafka:Producer:Properties`", Assert.Single(options.BindingIssues).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BindSection_KeysIgnoreCase_Bound()
    {
        var options = Load(Config(("kafka:producer:batchsize", "1024"), ("KAFKA:PRODUCER:ACKS", "1")));

        Assert.Equal(1024, options.Producer.BatchSize);
        Assert.Equal(Acks.Leader, options.Producer.Acks);
        Assert.Empty(options.BindingIssues);
    }

    [Fact]
    public void BindSection_Properties_KeptVerbatim()
    {
        var options = Load(Config(("Kafka:Properties:socket.keepalive.enable", "true"), ("Kafka:Consumer:Properties:fetch.error.backoff.ms", "250")));

        Assert.Equal("true", options.Properties["socket.keepalive.enable"]);
        Assert.Equal("250", options.Consumer.Properties["fetch.error.backoff.ms"]);
    }

    [Fact]
    public void BindSection_NestedPropertiesSection_Error()
    {
        var options = Load(Config(("Kafka:Properties:linger:ms", "5")));

        Assert.Contains("flat names", Assert.Single(options.BindingIssues).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("KAFKA_PRODUCER_BATCH_SIZ", "KAFKA_PRODUCER_BATCH_SIZE")]
    [InlineData("KAFKA_PRODUCER_BATCHSIZE", "KAFKA_PRODUCER_BATCH_SIZE")]
    [InlineData("KAFKA_PRODUCER_MAX_BATCH_SIZE", "KAFKA_PRODUCER_BATCH_SIZE")]
    [InlineData("kafka_bootstrap_servers", "KAFKA_BOOTSTRAP_SERVERS")]
    [InlineData("KAFKA_SASL_MECHANISMS", "KAFKA_SASL_MECHANISM")]
    [InlineData("KAFKA_SASL_PASWORD", "KAFKA_SASL_PASSWORD")]
    public void BindEnvironment_NearMiss_ErrorNamesVariableWeRead(string name, string expected)
    {
        var options = Load(environment: Env(("KAFKA_BOOTSTRAP_SERVERS", "a:9092"), (name, "32768")));

        var issue = Assert.Single(options.BindingIssues);
        Assert.Equal(KafkaConfigurationSeverity.Error, issue.Severity);
        Assert.StartsWith($"`{name}` is not a variable Samsa reads; did you mean `{expected}`", issue.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("KAFKA_HOME")]
    [InlineData("KAFKA_OPTS")]
    [InlineData("KAFKA_HEAP_OPTS")]
    [InlineData("KAFKA_JMX_OPTS")]
    [InlineData("KAFKA_DEBUG")]
    [InlineData("KAFKA_CFG_LOG_RETENTION_HOURS")]
    [InlineData("KAFKA_SERVICE_HOST")]
    [InlineData("KAFKA_PORT_9092_TCP_ADDR")]
    [InlineData("KAFKA_PORT")]
    [InlineData("PATH")]
    [InlineData("Kafka__Producer__BatchSize")]
    public void BindEnvironment_ForeignVariable_Ignored(string name)
    {
        var options = Load(environment: Env((name, "/opt/kafka")));

        Assert.Empty(options.BindingIssues);
    }

    [Fact]
    public void BindEnvironment_UnknownKafkaVariable_WarningOnly()
    {
        var options = Load(environment: Env(("KAFKA_TOPIC", "orders")));

        var issue = Assert.Single(options.BindingIssues);
        Assert.Equal(KafkaConfigurationSeverity.Warning, issue.Severity);
        Assert.Contains("`KAFKA_TOPIC` is not read by Samsa", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BindEnvironment_SettingWithoutGroup_WarningSuggestsVariable()
    {
        var options = Load(environment: Env(("KAFKA_BATCH_SIZE", "1")));

        var issue = Assert.Single(options.BindingIssues);
        Assert.Equal(KafkaConfigurationSeverity.Warning, issue.Severity);
        Assert.Contains("Did you mean `KAFKA_PRODUCER_BATCH_SIZE`", issue.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("KAFKA_SECURITY_PROTOCOL", "SASL_SSLL", "did you mean `SASL_SSL`?")]
    [InlineData("KAFKA_SASL_MECHANISM", "SCRAM-SHA-521", "did you mean `SCRAM-SHA-512`?")]
    [InlineData("KAFKA_PRODUCER_COMPRESSION_TYPE", "snapy", "did you mean `snappy`?")]
    [InlineData("KAFKA_PRODUCER_COMPRESSION_TYPE", "brotli", "one of none, gzip, snappy, lz4, zstd")]
    [InlineData("KAFKA_PRODUCER_BATCH_SIZE", "32KB", "not a whole number")]
    [InlineData("KAFKA_PRODUCER_ENABLE_IDEMPOTENCE", "yes please", "not true or false")]
    public void BindEnvironment_BadValue_ErrorQuotesVariableAndValue(string name, string value, string expected)
    {
        var options = Load(environment: Env((name, value)));

        var issue = Assert.Single(options.BindingIssues);
        Assert.Equal(KafkaConfigurationSeverity.Error, issue.Severity);
        Assert.StartsWith($"`{name}`=`{value}`", issue.Message, StringComparison.Ordinal);
        Assert.Contains(expected, issue.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sasl_ssl", SecurityProtocol.SaslSsl)]
    [InlineData("SaslSsl", SecurityProtocol.SaslSsl)]
    [InlineData("PLAINTEXT", SecurityProtocol.Plaintext)]
    public void BindEnvironment_ProtocolSpellings_Accepted(string value, SecurityProtocol expected)
    {
        var options = Load(environment: Env(("KAFKA_SECURITY_PROTOCOL", value)));

        Assert.Equal(expected, options.SecurityProtocol);
    }

    [Theory]
    [InlineData("all", Acks.All)]
    [InlineData("-1", Acks.All)]
    [InlineData("1", Acks.Leader)]
    [InlineData("0", Acks.None)]
    public void BindEnvironment_AcksSpellings_Accepted(string value, Acks expected)
    {
        var options = Load(environment: Env(("KAFKA_PRODUCER_ACKS", value)));

        Assert.Equal(expected, options.Producer.Acks);
    }

    [Fact]
    public void Load_AllLayers_EnvironmentOverSectionAndDelegateOverBoth()
    {
        var options = Load(
            Config(("Kafka:Producer:BatchSize", "1000"), ("Kafka:Producer:LingerMs", "1"), ("Kafka:ClientId", "from-section")),
            Env(("KAFKA_PRODUCER_BATCH_SIZE", "2000"), ("KAFKA_PRODUCER_LINGER_MS", "2")),
            o => o.Producer.LingerMs = 3);

        Assert.Equal(2000, options.Producer.BatchSize);
        Assert.Equal(3, options.Producer.LingerMs);
        Assert.Equal("from-section", options.ClientId);
    }

    [Fact]
    public void BindEnvironment_EmptyValue_TreatedAsUnset()
    {
        var options = Load(Config(("Kafka:ClientId", "svc")), Env(("KAFKA_CLIENT_ID", "")));

        Assert.Equal("svc", options.ClientId);
        Assert.Empty(options.BindingIssues);
    }

    [Theory]
    [InlineData("Development", KafkaProfile.Development)]
    [InlineData("Production", KafkaProfile.Production)]
    [InlineData("Staging", KafkaProfile.Production)]
    [InlineData(null, KafkaProfile.Production)]
    public void ApplyHostEnvironment_NoProfile_ChosenFromEnvironment(string? environment, KafkaProfile expected)
    {
        var options = new KafkaOptions();

        KafkaConfigurationBinder.ApplyHostEnvironment(options, environment, "svc");

        Assert.Equal(expected, options.Profile);
        Assert.Equal("svc", options.ClientId);
    }

    [Fact]
    public void ApplyHostEnvironment_ExplicitProfile_Kept()
    {
        var options = Load(environment: Env(("KAFKA_PROFILE", "Development")), environmentName: "Production");

        Assert.Equal(KafkaProfile.Development, options.Profile);
    }
}
