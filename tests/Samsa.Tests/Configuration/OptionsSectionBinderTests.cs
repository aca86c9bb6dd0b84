using Microsoft.Extensions.Configuration;
using Samsa.Configuration;
using Samsa.Consuming;
using Samsa.Publishing;

namespace Samsa.Tests.Configuration;

public sealed class OptionsSectionBinderTests
{
    [Fact]
    public void Bind_ScalarsNestedObjectsAndLists_SetsThem()
    {
        var options = new ConsumerOptions();

        var errors = OptionsSectionBinder.Bind(options, Section(
            ("CommitInterval", "00:00:02"),
            ("DeadLetterTopic", "orders.parked"),
            ("AssignmentStrategy", "Range"),
            ("Retry:MaxAttempts", "7"),
            ("Retry:RetryTopicDelays:0", "00:00:10"),
            ("Retry:RetryTopicDelays:1", "00:01:00")), "consumer of `orders`");

        Assert.Empty(errors);
        Assert.Equal(TimeSpan.FromSeconds(2), options.CommitInterval);
        Assert.Equal("orders.parked", options.DeadLetterTopic);
        Assert.Equal(Confluent.Kafka.PartitionAssignmentStrategy.Range, options.AssignmentStrategy);
        Assert.Equal(7, options.Retry.MaxAttempts);
        Assert.Equal([TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(1)], options.Retry.RetryTopicDelays);
    }

    [Fact]
    public void Bind_MisspeltKeys_NameTheNearestSettingAndBindNothing()
    {
        var options = new ConsumerOptions();

        var errors = OptionsSectionBinder.Bind(options, Section(("CommitIntervall", "00:00:02"), ("Retry:MaxAtempts", "7")), "consumer of `orders`");

        Assert.Equal(
        [
            "`Kafka:Consumers:orders:CommitIntervall` is not a consumer of `orders` setting; did you mean `CommitInterval`?",
            "`Kafka:Consumers:orders:Retry:MaxAtempts` is not a consumer of `orders` setting; did you mean `MaxAttempts`?",
        ], errors);
        Assert.Equal(ConsumerDefaults.CommitInterval, options.CommitInterval);
    }

    [Fact]
    public void Bind_NothingNear_ListsTheSettings()
    {
        var errors = OptionsSectionBinder.Bind(new PublisherOptions(), Section("Kafka:Publisher", ("Colour", "blue")), "publisher");

        var error = Assert.Single(errors);
        Assert.StartsWith("`Kafka:Publisher:Colour` is not a publisher setting; the settings are FlushTimeout, ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_CallbacksSerializersAndCodeOnlySettings_AreRefusedWithWhy()
    {
        var codeOnly = new Dictionary<string, string>(StringComparer.Ordinal) { ["Topic"] = "the topic is the section's name." };

        var errors = OptionsSectionBinder.Bind(
            new ConsumerOptions(),
            Section(("Topic", "other"), ("ConfigureConsumer", "x"), ("Deserializer", "json")),
            "consumer of `orders`",
            codeOnly);

        Assert.Equal(
        [
            "`Kafka:Consumers:orders:ConfigureConsumer` cannot come from configuration: ConfigureConsumer is a callback, set in code.",
            "`Kafka:Consumers:orders:Deserializer` cannot come from configuration: Deserializer is an object (IEventDeserializer), set in code.",
            "`Kafka:Consumers:orders:Topic` cannot come from configuration: the topic is the section's name.",
        ], errors);
    }

    [Fact]
    public void Bind_ValueThatDoesNotParse_NamesTheKey()
    {
        var options = new PublisherOptions();

        var error = Assert.Single(OptionsSectionBinder.Bind(options, Section("Kafka:Publisher", ("FlushTimeout", "soon")), "publisher"));

        Assert.StartsWith("`Kafka:Publisher` could not be bound onto the publisher settings:", error, StringComparison.Ordinal);
        Assert.Contains("Kafka:Publisher:FlushTimeout", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Bind_MissingSection_ChangesNothing()
    {
        var options = new ConsumerOptions();

        Assert.Empty(OptionsSectionBinder.Bind(options, new ConfigurationBuilder().Build().GetSection("Kafka:Consumers:orders"), "consumer of `orders`"));
        Assert.Equal(ConsumerDefaults.MaxInFlightPerPartition, options.MaxInFlightPerPartition);
    }

    private static IConfigurationSection Section(params (string Key, string Value)[] entries) => Section("Kafka:Consumers:orders", entries);

    private static IConfigurationSection Section(string path, params (string Key, string Value)[] entries) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(entries.Select(e => new KeyValuePair<string, string?>($"{path}:{e.Key}", e.Value)))
            .Build()
            .GetSection(path);
}
