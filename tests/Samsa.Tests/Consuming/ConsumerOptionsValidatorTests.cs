using Samsa.Consuming;

namespace Samsa.Tests.Consuming;

public sealed class ConsumerOptionsValidatorTests
{
    private static ConsumerOptions Valid() => new() { Topic = "orders", GroupId = "billing", ExactlyOnce = true };

    [Fact]
    public void Validate_ExactlyOnceDefaults_Succeeds()
    {
        Assert.True(new ConsumerOptionsValidator().Validate(null, Valid()).Succeeded);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(ConsumerDefaults.Limits.MaxRecordsPerTransaction + 1)]
    public void Validate_MaxRecordsPerTransactionOutOfRange_FailsNamingValueAndRange(int value)
    {
        var options = Valid();
        options.MaxRecordsPerTransaction = value;

        var result = new ConsumerOptionsValidator().Validate(null, options);

        var failure = Assert.Single(result.Failures!);
        Assert.Contains($"MaxRecordsPerTransaction is {value}", failure, StringComparison.Ordinal);
        Assert.Contains($"between 1 and {ConsumerDefaults.Limits.MaxRecordsPerTransaction}", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BlankTransactionalId_FailsSuggestingNull()
    {
        var options = Valid();
        options.TransactionalId = " ";

        var result = new ConsumerOptionsValidator().Validate(null, options);

        Assert.Contains("TransactionalId is blank; leave it null", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".", "cannot be `.` or `..`")]
    [InlineData("..", "cannot be `.` or `..`")]
    [InlineData("orders/eu", "contains `/`")]
    public void Validate_TopicNotAKafkaName_FailsWithKafkasRule(string topic, string problem)
    {
        var options = Valid();
        options.Topic = topic;

        var result = new ConsumerOptionsValidator().Validate(null, options);

        Assert.Contains($"Topic '{topic}' {problem}", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TopicOf249Characters_Succeeds_250Fails()
    {
        var options = Valid();
        options.Topic = new string('t', 249);
        Assert.True(new ConsumerOptionsValidator().Validate(null, options).Succeeded);

        options.Topic = new string('t', 250);
        Assert.Contains("is 250 characters long; Kafka allows at most 249", Assert.Single(new ConsumerOptionsValidator().Validate(null, options).Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DeadLetterTopicNotAKafkaName_Fails()
    {
        var options = Valid();
        options.DeadLetterTopic = "..";

        Assert.Contains("DeadLetterTopic '..' cannot be `.` or `..`", Assert.Single(new ConsumerOptionsValidator().Validate(null, options).Failures!), StringComparison.Ordinal);
    }
}
