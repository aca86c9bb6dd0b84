using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Samsa.Consuming;
using Samsa.DependencyInjection;
using Samsa.Publishing;
using Samsa.Tests.DependencyInjection;
using static Samsa.Tests.Consuming.ConsumingTestSupport;

namespace Samsa.Tests.Consuming;

/// <summary><c>Kafka:Consumers:&lt;topic&gt;</c> and <c>Kafka:Publisher</c>: configuration first, then code; validated at start like the rest.</summary>
public sealed class ConsumerConfigurationSectionTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Section_RetryTopicsAndDeadLetterTopicFromConfiguration_AreProvisionedOnTheBroker()
    {
        await using var broker = await StartBrokerAsync();
        using var host = SamsaTestHost.Build(
            broker.BootstrapServers,
            samsa => samsa
                .AddTopic("payments", t => t.Partitions = 2)
                .AddConsumer<RecordingHandler, TestEvent>("payments", "billing"),
            configuration:
            [
                ("Kafka:Consumers:payments:Retry:RetryTopicDelays:0", "00:00:01"),
                ("Kafka:Consumers:payments:DeadLetterTopic", "payments.parked"),
                ("Kafka:Consumers:payments:CommitInterval", "00:00:00.200"),
            ]);

        await host.StartAsync(Token);

        var options = host.Services.GetRequiredService<IOptionsMonitor<ConsumerOptions>>().Get(SamsaConsumerBuilderExtensions.RegistrationName("billing", "payments"));
        Assert.Equal(TimeSpan.FromMilliseconds(200), options.CommitInterval);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build();
        var topics = admin.GetMetadata(TimeSpan.FromSeconds(10)).Topics.Select(t => t.Topic).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("payments.retry.1", topics);
        Assert.Contains("payments.parked", topics);
        Assert.DoesNotContain("payments.dlq", topics);
        await host.StopAsync(Token);
    }

    [Fact]
    public void Section_CodeDelegateRunsAfterConfiguration_AndWins()
    {
        using var host = SamsaTestHost.Build(
            "127.0.0.1:9092",
            samsa => samsa.AddConsumer<RecordingHandler, TestEvent>("payments", "billing", o => o.Retry.MaxAttempts = 9),
            configuration: [("Kafka:Consumers:payments:Retry:MaxAttempts", "4"), ("Kafka:Consumers:payments:MaxInFlightPerPartition", "50")]);

        var options = host.Services.GetRequiredService<IOptionsMonitor<ConsumerOptions>>().Get(SamsaConsumerBuilderExtensions.RegistrationName("billing", "payments"));

        Assert.Equal(9, options.Retry.MaxAttempts);
        Assert.Equal(50, options.MaxInFlightPerPartition);
    }

    [Fact]
    public void Section_BatchAndConcurrencySettings_BoundFromConfiguration()
    {
        using var host = SamsaTestHost.Build(
            "127.0.0.1:9092",
            samsa => samsa
                .AddConsumer<RecordingHandler, TestEvent>("payments", "billing")
                .AddBatchConsumer<BatchConsumerTests.BatchRecorder, TestEvent>("refunds", "billing"),
            configuration:
            [
                ("Kafka:Consumers:payments:MaxConcurrencyPerPartition", "16"),
                ("Kafka:Consumers:refunds:MaxBatchSize", "250"),
                ("Kafka:Consumers:refunds:MaxBatchWait", "00:00:00.020"),
            ]);

        var monitor = host.Services.GetRequiredService<IOptionsMonitor<ConsumerOptions>>();
        var payments = monitor.Get(SamsaConsumerBuilderExtensions.RegistrationName("billing", "payments"));
        var refunds = monitor.Get(SamsaConsumerBuilderExtensions.RegistrationName("billing", "refunds"));

        Assert.Equal(16, payments.MaxConcurrencyPerPartition);
        Assert.False(payments.IsBatchConsumer);
        Assert.Equal(250, refunds.MaxBatchSize);
        Assert.Equal(TimeSpan.FromMilliseconds(20), refunds.MaxBatchWait);
        Assert.True(refunds.IsBatchConsumer);
    }

    [Fact]
    public void Section_MisspeltKeysAndBadValues_FailStartValidationNamingEach()
    {
        using var host = SamsaTestHost.Build(
            "127.0.0.1:9092",
            samsa => samsa.AddPublisher().AddConsumer<RecordingHandler, TestEvent>("payments", "billing"),
            configuration:
            [
                ("Kafka:Consumers:payments:Retry:MaxAtempts", "4"),
                ("Kafka:Consumers:payments:GroupId", "other"),
                ("Kafka:Publisher:FlushTimeot", "00:00:05"),
            ]);

        // Both options types fail, so the validator throws them together.
        var failures = Assert.Throws<AggregateException>(() => host.Services.GetRequiredService<IStartupValidator>().Validate());
        var error = new { Message = string.Join("\n", failures.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures)) };

        Assert.Contains("`Kafka:Consumers:payments:Retry:MaxAtempts` is not a consumer of `payments` setting; did you mean `MaxAttempts`?", error.Message, StringComparison.Ordinal);
        Assert.Contains("`Kafka:Consumers:payments:GroupId` cannot come from configuration", error.Message, StringComparison.Ordinal);
        Assert.Contains("`Kafka:Publisher:FlushTimeot` is not a publisher setting; did you mean `FlushTimeout`?", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Publisher_SectionSetsThresholds_AndTheKafkaSectionDoesNotReportItUnknown()
    {
        using var host = SamsaTestHost.Build(
            "127.0.0.1:9092",
            samsa => samsa.AddPublisher(),
            configuration: [("Kafka:Publisher:DegradedFailureThreshold", "3"), ("Kafka:Publisher:UnhealthyFailureThreshold", "8")]);

        host.Services.GetRequiredService<IStartupValidator>().Validate();

        var options = host.Services.GetRequiredService<IOptions<PublisherOptions>>().Value;
        Assert.Equal((3, 8), (options.DegradedFailureThreshold, options.UnhealthyFailureThreshold));
    }
}
