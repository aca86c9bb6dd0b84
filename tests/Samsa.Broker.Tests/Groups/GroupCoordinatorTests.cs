using Samsa.Broker.Groups;

namespace Samsa.Broker.Tests.Groups;

public class GroupCoordinatorTests
{
    [Theory]
    [InlineData("hello", 22)] // Java "hello".hashCode() = 99162322
    [InlineData("polygenelubricants", 0)] // hashCode() = Integer.MIN_VALUE, which Kafka maps to 0
    [InlineData("my-group", 12)] // negative hash -1906497762
    public void PartitionFor_GroupId_MatchesKafkasChoice(string groupId, int expected)
    {
        Assert.Equal(expected, GroupCoordinator.PartitionFor(groupId, 50));
    }

    [Fact]
    public void PartitionFor_EmptyGroupId_IsPartitionZero()
    {
        Assert.Equal(0, GroupCoordinator.PartitionFor("", 50));
    }
}
