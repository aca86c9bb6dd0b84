using Confluent.Kafka;

namespace Samsa.Testing.Tests;

public sealed class SecurityTests
{
    public SecurityTests() => Samsa.TestUtils.NativeKafka.EnsureLoaded();

    [Theory]
    [InlineData(KafkaTestSecurity.Tls, KafkaTestSaslMechanism.ScramSha512)]
    [InlineData(KafkaTestSecurity.SaslPlaintext, KafkaTestSaslMechanism.Plain)]
    [InlineData(KafkaTestSecurity.SaslPlaintext, KafkaTestSaslMechanism.ScramSha256)]
    [InlineData(KafkaTestSecurity.SaslSsl, KafkaTestSaslMechanism.ScramSha512)]
    public async Task StartAsync_Secured_ClientWithClientSecurityProducesAndConsumes(KafkaTestSecurity security, KafkaTestSaslMechanism mechanism)
    {
        await using var kafka = await KafkaTestCluster.StartAsync(o => { o.Security = security; o.SaslMechanism = mechanism; }, TestContext.Current.CancellationToken);
        var topic = await kafka.CreateTopicAsync(KafkaTestCluster.UniqueName());
        using var producer = new ProducerBuilder<string, string>(kafka.ProducerConfig()).Build();

        var delivered = await producer.ProduceAsync(topic, new Message<string, string> { Key = "k", Value = "secured" }, TestContext.Current.CancellationToken);

        Assert.Equal(PersistenceStatus.Persisted, delivered.Status);
        Assert.Equal(["secured"], (await kafka.ConsumeToEndAsync(topic, cancellationToken: TestContext.Current.CancellationToken)).Select(r => r.Message.Value));
        Assert.Equal(security is KafkaTestSecurity.Tls or KafkaTestSecurity.SaslSsl, kafka.ClientSecurity.CaCertificatePem?.Contains("BEGIN CERTIFICATE", StringComparison.Ordinal) ?? false);
    }

    [Fact]
    public async Task StartAsync_Sasl_WrongPasswordIsRefused()
    {
        await using var kafka = await KafkaTestCluster.StartAsync(o => o.Security = KafkaTestSecurity.SaslPlaintext, TestContext.Current.CancellationToken);
        var errors = new List<Error>();
        using var admin = new AdminClientBuilder(kafka.AdminConfig(c => c.SaslPassword = "wrong"))
            .SetErrorHandler((_, e) => { lock (errors) { errors.Add(e); } })
            .Build();

        Assert.Throws<KafkaException>(() => admin.GetMetadata(TimeSpan.FromSeconds(3)));

        lock (errors)
        {
            Assert.Contains(errors, e => e.Code == ErrorCode.Local_Authentication);
        }
    }

    [Fact]
    public async Task StartAsync_Tls_ClientWithoutTheCaIsRefused()
    {
        await using var kafka = await KafkaTestCluster.StartAsync(o => o.Security = KafkaTestSecurity.Tls, TestContext.Current.CancellationToken);
        var errors = new List<Error>();
        using var admin = new AdminClientBuilder(kafka.AdminConfig(c => c.SslCaLocation = null))
            .SetErrorHandler((_, e) => { lock (errors) { errors.Add(e); } })
            .Build();

        Assert.Throws<KafkaException>(() => admin.GetMetadata(TimeSpan.FromSeconds(3)));

        lock (errors)
        {
            Assert.Contains(errors, e => e.Code is ErrorCode.Local_Ssl or ErrorCode.Local_Transport or ErrorCode.Local_AllBrokersDown);
        }
    }

    [Fact]
    public async Task ConfigurationSettings_SaslSsl_NameEverySettingAServiceNeeds()
    {
        await using var kafka = await KafkaTestCluster.StartAsync(o => o.Security = KafkaTestSecurity.SaslSsl, TestContext.Current.CancellationToken);

        var settings = kafka.ConfigurationSettings();
        var variables = kafka.EnvironmentVariables();

        Assert.Equal(kafka.BootstrapServers, settings["Kafka:BootstrapServers"]);
        Assert.Equal("SASL_SSL", settings["Kafka:SecurityProtocol"]);
        Assert.Equal("SCRAM-SHA-512", variables["KAFKA_SASL_MECHANISM"]);
        Assert.True(File.Exists(settings["Kafka:SslCaLocation"]));
        Assert.Equal(kafka.BootstrapServers, settings["ConnectionStrings:kafka"]);
    }
}
