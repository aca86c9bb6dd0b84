using Samsa.Broker.Groups;
using Samsa.Protocol.Messages.Internal;

namespace Samsa.Broker.Tests.Groups;

public class GroupRecordsTests
{
    [Fact]
    public void OffsetKey_Encoded_IsKafkasVersionOneLayout()
    {
        var key = GroupRecords.OffsetKey("g", "t", 3);

        // int16 version 1, then group, topic (int16 length + UTF-8) and int32 partition.
        Assert.Equal(new byte[] { 0, 1, 0, 1, (byte)'g', 0, 1, (byte)'t', 0, 0, 0, 3 }, key);
    }

    [Fact]
    public void OffsetValue_RoundTrip_KeepsEveryField()
    {
        var offset = new CommittedOffset(123, 7, "meta", 1_700_000_000_000, -1);

        var bytes = GroupRecords.OffsetValue(offset);

        Assert.Equal(3, (bytes[0] << 8) | bytes[1]);
        Assert.Equal(offset, GroupRecords.ReadOffsetValue(bytes));
    }

    [Fact]
    public void ReadKey_GroupMetadataKey_IsGroupKind()
    {
        var key = GroupRecords.ReadKey(GroupRecords.GroupKey("my-group"));

        Assert.Equal(GroupRecordKind.Group, key.Kind);
        Assert.Equal("my-group", key.Group);
    }

    [Fact]
    public void GroupValue_RoundTrip_KeepsMembers()
    {
        var value = new GroupMetadataValue
        {
            ProtocolType = "consumer",
            Generation = 4,
            Protocol = "range",
            Leader = "m1",
            CurrentStateTimestamp = 99,
            Members =
            [
                new GroupMetadataValue.MemberMetadata
                {
                    MemberId = "m1",
                    GroupInstanceId = "i1",
                    ClientId = "c",
                    ClientHost = "/127.0.0.1",
                    RebalanceTimeout = 300000,
                    SessionTimeout = 10000,
                    Subscription = [1, 2],
                    Assignment = [3],
                },
            ],
        };

        var read = GroupRecords.ReadGroupValue(GroupRecords.GroupValue(value));

        Assert.Equal(4, read.Generation);
        Assert.Equal("range", read.Protocol);
        Assert.Equal("i1", read.Members[0].GroupInstanceId);
        Assert.Equal(new byte[] { 3 }, read.Members[0].Assignment);
    }
}
