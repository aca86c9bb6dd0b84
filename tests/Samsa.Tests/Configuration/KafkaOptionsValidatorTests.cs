using Confluent.Kafka;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Samsa.Configuration;
using Samsa.Native;
using static Samsa.Tests.Configuration.KafkaTestSupport;

namespace Samsa.Tests.Configuration;

public class KafkaOptionsValidatorTests
{
    [Fact]
    public void Check_ValidDevelopmentOptions_NoIssues()
    {
        Assert.Empty(Validator().Check(Development()));
    }

    [Fact]
    public void Validate_ManyProblems_AllReportedAtOnce()
    {
        var options = Load(
            Config(("Kafka:Producer:batch_size", "1"), ("Kafka:Producer:Properties:max_batch_size", "1")),
            Env(("KAFKA_BOOTSTRAP_SERVERS", "broker"), ("KAFKA_PRODUCER_BATCH_SIZ", "1"), ("KAFKA_SECURITY_PROTOCOL", "SASL_SSL")),
            o => o.Producer.LingerMs = -5);

        var result = Validator().Validate(null, options);

        Assert.True(result.Failed);
        var failures = result.Failures!.ToList();
        Assert.Contains(failures, f => f.Contains("`Kafka:Producer:batch_size` is not a setting; did you mean `BatchSize` (`batch.size`)?", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("did you mean `KAFKA_PRODUCER_BATCH_SIZE`", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("`max_batch_size` is not a property of librdkafka", StringComparison.Ordinal) && f.Contains("did you mean `batch.size`", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("entry `broker` has no port", StringComparison.Ordinal));
        Assert.Contains("`Kafka:Producer:LingerMs` (`KAFKA_PRODUCER_LINGER_MS`, `linger.ms`) is -5; expected 0 to 900000.", failures);
        Assert.Contains(failures, f => f.Contains("`Kafka:SaslUsername` (`KAFKA_SASL_USERNAME`) is not set", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("`Kafka:SaslPassword` (`KAFKA_SASL_PASSWORD`) is not set", StringComparison.Ordinal));
        Assert.Equal(7, failures.Count);
    }

    [Theory]
    [InlineData("batch_size", "batch.size")]
    [InlineData("max_batch_size", "batch.size")]
    [InlineData("lingerms", "linger.ms")]
    [InlineData("sasl_plain_username", "sasl.username")]
    [InlineData("fetch.max.wait.ms", "fetch.wait.max.ms")]
    public void Check_UnknownRawProperty_ErrorNamesNearestLibrdkafkaName(string name, string expected)
    {
        var options = Development(o => o.Producer.Properties[name] = "1");

        var issue = Assert.Single(Errors(options));
        Assert.Equal($"Kafka:Producer:Properties:{name}", issue.Setting);
        Assert.Contains($"did you mean `{expected}`", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_RawBatchSizeTypo_SuggestsTypedSettingToo()
    {
        var options = Development(o => o.Properties["batch_size"] = "1");

        var issue = Assert.Single(Errors(options));
        Assert.Contains("did you mean `batch.size` (the typed setting `Kafka:Producer:BatchSize`)?", issue.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("linger.ms", "soon")]
    [InlineData("compression.type", "brotli")]
    [InlineData("batch.size", "-1")]
    public void Check_InvalidRawValue_ErrorQuotesLibrdkafka(string name, string value)
    {
        var options = Development(o => o.Producer.Properties[name] = value);

        var issue = Assert.Single(Errors(options), i => i.Setting == $"Kafka:Producer:Properties:{name}");
        Assert.Contains("is rejected by librdkafka 2.16", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ValidRawProperties_NoIssues()
    {
        var options = Development(o =>
        {
            o.Properties["socket.keepalive.enable"] = "true";
            o.Producer.Properties["retries"] = "5";
            o.Consumer.Properties["fetch.error.backoff.ms"] = "100";
            o.Admin.Properties["dotnet.cancellation.delay.max.ms"] = "50";
            o.Producer.Properties["dotnet.producer.enable.background.poll"] = "true";
        });

        Assert.Empty(Validator().Check(options));
    }

    [Fact]
    public void Check_UnknownDotnetProperty_ErrorWithNearest()
    {
        var options = Development(o => o.Producer.Properties["dotnet.producer.enable.backgroundpoll"] = "true");

        Assert.Contains("did you mean `dotnet.producer.enable.background.poll`?", Assert.Single(Errors(options)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ConsumerPropertyInProducerMap_Warning()
    {
        var options = Development(o => o.Producer.Properties["fetch.wait.max.ms"] = "100");

        var warning = Assert.Single(Warnings(options));
        Assert.Contains("consumer property", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_RawPropertyConflictsWithTypedSetting_Error()
    {
        var options = Development(o =>
        {
            o.Producer.BatchSize = 16384;
            o.Producer.Properties["batch.size"] = "65536";
        });

        Assert.Contains("conflicts with `Kafka:Producer:BatchSize`", Assert.Single(Errors(options)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_RawPropertyEqualToTypedSetting_NoConflict()
    {
        var options = Development(o =>
        {
            o.Producer.Acks = Acks.All;
            o.Producer.Properties["request.required.acks"] = "-1";
        });

        Assert.Empty(Errors(options));
    }

    [Fact]
    public void Check_SaslWithoutCredentials_ErrorPerMissingCredential()
    {
        var options = Development(o =>
        {
            o.SecurityProtocol = SecurityProtocol.SaslPlaintext;
            o.SaslMechanism = SaslMechanism.ScramSha256;
        });

        var errors = Errors(options);
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.Setting == "Kafka:SaslUsername");
        Assert.Contains(errors, e => e.Setting == "Kafka:SaslPassword");
    }

    [Fact]
    public void Check_SaslWithoutMechanism_Error()
    {
        var options = Development(o =>
        {
            o.SecurityProtocol = SecurityProtocol.SaslPlaintext;
            o.SaslUsername = "u";
            o.SaslPassword = "p";
        });

        Assert.Contains("GSSAPI", Assert.Single(Errors(options)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PLAINTEXT")]
    [InlineData("SASL_PLAINTEXT")]
    public void Check_PlaintextInProduction_Error(string protocol)
    {
        var options = Production(o => o.SecurityProtocol = protocol == "PLAINTEXT" ? SecurityProtocol.Plaintext : SecurityProtocol.SaslPlaintext);

        var issue = Assert.Single(Errors(options));
        Assert.Contains($"is {protocol} (from `Kafka:SecurityProtocol`) in the Production environment", issue.Message, StringComparison.Ordinal);
        Assert.Contains("KAFKA_ALLOW_PLAINTEXT_IN_PRODUCTION", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_PlaintextInProductionWithOptIn_NoError()
    {
        var options = Load(environment: Env(SeedEnvironment, ("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT"), ("KAFKA_ALLOW_PLAINTEXT_IN_PRODUCTION", "true")));

        Assert.Empty(Errors(options));
    }

    [Fact]
    public void Check_DevelopmentProfileInProductionEnvironment_PlaintextStillAnError()
    {
        var options = Load(Config(("Kafka:BootstrapServers", "a:9092"), ("Kafka:Profile", "Development")));

        Assert.Contains("in the Production environment", Assert.Single(Errors(options)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_IdempotenceWithAcksLeader_Error()
    {
        var options = Production(o =>
        {
            o.Producer.EnableIdempotence = true;
            o.Producer.Acks = Acks.Leader;
        });

        var issue = Assert.Single(Errors(options));
        Assert.Contains("idempotence needs acks=all", issue.Message, StringComparison.Ordinal);
        Assert.Contains("is 1 (from `Kafka:Producer:Acks`)", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_AcksLeaderWithDefaultIdempotence_WarningAndIdempotenceOff()
    {
        var options = Production(o => o.Producer.Acks = Acks.Leader);

        Assert.Empty(Errors(options));
        Assert.Contains("enable.idempotence=true is not applied", Assert.Single(Warnings(options)).Message, StringComparison.Ordinal);
        Assert.Null(KafkaClientConfigFactory.CreateProducerConfig(options).EnableIdempotence);
    }

    [Fact]
    public void Check_ProducerTransactionalIdFromTheEnvironment_ErrorNamesTheConsumerSettings()
    {
        var options = Load(
            environment: Env(("KAFKA_BOOTSTRAP_SERVERS", "a:9092"), ("KAFKA_PRODUCER_TRANSACTIONAL_ID", "billing-tx")),
            environmentName: "Development");

        var issue = Assert.Single(Errors(options));
        Assert.Contains("KAFKA_PRODUCER_TRANSACTIONAL_ID", issue.Message, StringComparison.Ordinal);
        Assert.Contains("ConsumerOptions.ExactlyOnce = true", issue.Message, StringComparison.Ordinal);
        Assert.Contains("ConsumerOptions.InstanceId", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_LingerNotBelowDeliveryTimeout_ErrorQuotesBoth()
    {
        var options = Production(o => o.Producer.LingerMs = 200_000);

        var issue = Assert.Single(Errors(options));
        Assert.Contains("is 200000 ms (from `Kafka:Producer:LingerMs`)", issue.Message, StringComparison.Ordinal);
        Assert.Contains("120000 ms (from the Production profile default)", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ConsumerGroupProtocolWithClientSessionTimeout_ErrorNamesTheBrokerSetting()
    {
        var options = Load(
            environment: Env(("KAFKA_BOOTSTRAP_SERVERS", "a:9092"), ("KAFKA_CONSUMER_GROUP_PROTOCOL", "consumer"), ("KAFKA_CONSUMER_SESSION_TIMEOUT_MS", "10000")),
            environmentName: "Development");

        var issue = Assert.Single(Errors(options));
        Assert.Equal("Kafka:Consumer:SessionTimeoutMs", issue.Setting);
        Assert.Contains("group.consumer.session.timeout.ms", issue.Message, StringComparison.Ordinal);
        Assert.Equal(GroupProtocol.Consumer, options.Consumer.GroupProtocol);
    }

    [Fact]
    public void Check_GroupProtocolMisspelt_ErrorListsTheChoices()
    {
        var options = Load(environment: Env(("KAFKA_BOOTSTRAP_SERVERS", "a:9092"), ("KAFKA_CONSUMER_GROUP_PROTOCOL", "kip848")), environmentName: "Development");

        var issue = Assert.Single(Errors(options));
        Assert.Contains("classic, consumer", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_HeartbeatNotBelowSession_Error()
    {
        var options = Development(o =>
        {
            o.Consumer.SessionTimeoutMs = 10_000;
            o.Consumer.HeartbeatIntervalMs = 10_000;
            o.Consumer.MaxPollIntervalMs = 5_000;
            o.Consumer.FetchMinBytes = 10;
            o.Consumer.FetchMaxBytes = 5;
        });

        var errors = Errors(options);
        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.Setting == "Kafka:Consumer:HeartbeatIntervalMs");
        Assert.Contains(errors, e => e.Setting == "Kafka:Consumer:MaxPollIntervalMs");
        Assert.Contains(errors, e => e.Setting == "Kafka:Consumer:FetchMinBytes");
    }

    [Theory]
    [InlineData("KAFKA_PRODUCER_BATCH_SIZE", "-1", "is -1; expected 1 to 2147483647")]
    [InlineData("KAFKA_PRODUCER_MESSAGE_MAX_BYTES", "10", "is 10; expected 1000 to 1000000000")]
    [InlineData("KAFKA_CONSUMER_FETCH_QUEUE_BACKOFF_MS", "-3", "is -3; expected 0 to 300000")]
    [InlineData("KAFKA_CONSUMER_FETCH_MAX_BYTES", "-1", "is -1; expected 0 to 2147483135")]
    public void Check_NegativeOrOutOfRangeSize_Error(string variable, string value, string expected)
    {
        var options = Load(environment: Env(("KAFKA_BOOTSTRAP_SERVERS", "a:9092"), (variable, value)), environmentName: "Development");

        var issue = Assert.Single(Errors(options));
        Assert.Contains(variable, issue.Message, StringComparison.Ordinal);
        Assert.Contains(expected, issue.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("broker:0", "outside 1-65535")]
    [InlineData("broker:65536", "outside 1-65535")]
    [InlineData("broker:http", "not a number")]
    [InlineData(":9092", "has no host")]
    [InlineData("::1:9092", "without brackets")]
    [InlineData("HTTP://broker:9092", "unknown protocol prefix")]
    public void Check_BadBootstrapEntry_Error(string entry, string expected)
    {
        var options = Development(o => o.BootstrapServers = [entry]);

        Assert.Contains(expected, Assert.Single(Errors(options)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_UndefinedEnumFromCode_Error()
    {
        var options = Development(o => o.Producer.CompressionType = (CompressionType)42);

        Assert.Contains("is not one of none, gzip, snappy, lz4, zstd", Assert.Single(Errors(options)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_SaslSettingsWithoutSasl_Warning()
    {
        var options = Development(o => o.SaslUsername = "u");

        Assert.Contains("does not use SASL", Assert.Single(Warnings(options)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_CatalogFails_ClearError()
    {
        var validator = new KafkaOptionsValidator(
            new FakeTimeProvider(Now), null, () => throw new LibrdkafkaLoadException("librdkafka 2.0.2 is loaded from /usr/lib/librdkafka.so.1"));

        var issue = Assert.Single(validator.Check(Development()));
        Assert.Equal("librdkafka", issue.Setting);
        Assert.Contains("/usr/lib/librdkafka.so.1", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_Success_ReturnsSuccess()
    {
        Assert.Same(ValidateOptionsResult.Success, Validator().Validate(null, Production()));
    }
}
