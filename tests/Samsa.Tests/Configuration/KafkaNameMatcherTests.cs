using Samsa.Configuration;

namespace Samsa.Tests.Configuration;

public class KafkaNameMatcherTests
{
    [Theory]
    [InlineData("batch_size", "BATCHSIZE")]
    [InlineData("batch.size", "BATCHSIZE")]
    [InlineData("Batch-Size", "BATCHSIZE")]
    [InlineData("Kafka:Producer", "KAFKAPRODUCER")]
    public void Normalize_Separators_Removed(string name, string expected)
    {
        Assert.Equal(expected, KafkaNameMatcher.Normalize(name));
    }

    [Theory]
    [InlineData("abc", "abc", 0)]
    [InlineData("abc", "acb", 1)]
    [InlineData("batchsize", "batchsiz", 1)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("", "abc", 3)]
    public void Distance_Pairs_OptimalStringAlignment(string a, string b, int expected)
    {
        Assert.Equal(expected, KafkaNameMatcher.Distance(a, b));
    }

    [Fact]
    public void FindNearest_NothingClose_Default()
    {
        Assert.Null(KafkaNameMatcher.FindNearest("completely.different", new[] { ("batch.size", "batch.size") }));
    }

    [Fact]
    public void FindNearest_Tie_FirstCandidateWins()
    {
        Assert.Equal("first", KafkaNameMatcher.FindNearest("abcd", new[] { ("abce", "first"), ("abcf", "second") }));
    }
}
