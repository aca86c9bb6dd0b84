using Samsa.Provisioning;

namespace Samsa.Tests.Provisioning;

/// <summary>Kafka's topic name rule (Topic.validate in Kafka's clients): the expectations are Kafka's, not read from the code.</summary>
public class TopicNameRulesTests
{
    [Theory]
    [InlineData("orders")]
    [InlineData("a")]
    [InlineData("audit.log-v2_X")]
    [InlineData("...")]
    [InlineData(".hidden")]
    public void IsValid_KafkaLegalName_True(string name) => Assert.True(TopicNameRules.IsValid(name));

    [Theory]
    [InlineData(null, "is empty")]
    [InlineData("", "is empty")]
    [InlineData(".", "cannot be `.` or `..`")]
    [InlineData("..", "cannot be `.` or `..`")]
    [InlineData("bad!topic", "contains `!`")]
    [InlineData("a/b", "contains `/`")]
    [InlineData("café", "contains `é`")]
    public void Problem_IllegalName_SaysWhy(string? name, string problem) => Assert.Equal(problem, TopicNameRules.Problem(name)?.Split(';')[0]);

    [Fact]
    public void Problem_LongerThan249_SaysTheLimit()
    {
        Assert.True(TopicNameRules.IsValid(new string('t', 249)));
        Assert.Equal("is 250 characters long; Kafka allows at most 249", TopicNameRules.Problem(new string('t', 250)));
    }
}
