using System.Text;
using Confluent.Kafka;
using Samsa.Consuming.DeadLetter;

namespace Samsa.Tests.Consuming.DeadLetter;

public sealed class ReplayLedgerTests
{
    [Fact]
    public void Load_MarkersAndTombstone_KeepsWhatIsStillMarked()
    {
        var ledger = new ReplayLedger("orders.dlq.replayed");

        ledger.Load(Read(ReplayLedger.Marker(0, 4, "orders", 1, 40, DateTimeOffset.UnixEpoch)));
        ledger.Load(Read(ReplayLedger.Marker(1, 7, "orders", 0, 41, DateTimeOffset.UnixEpoch)));
        ledger.Load(Read(new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes("1:7"), Value = null }));
        ledger.Load(Read(new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes("not a key"), Value = [1] }));

        Assert.True(ledger.Contains(0, 4));
        Assert.False(ledger.Contains(1, 7));
        Assert.Equal(1, ledger.Count);
    }

    [Fact]
    public void Marker_Value_SaysWhereAndWhen()
    {
        var marker = ReplayLedger.Marker(2, 9, "orders", 1, 40, new DateTimeOffset(2026, 8, 21, 10, 0, 0, TimeSpan.Zero));

        Assert.Equal("2:9", Encoding.UTF8.GetString(marker.Key!));
        Assert.Equal("{\"to\":\"orders/1/40\",\"at\":\"2026-08-21T10:00:00.0000000Z\"}", Encoding.UTF8.GetString(marker.Value!));
    }

    [Theory]
    [InlineData("0:0", true, 0, 0L)]
    [InlineData("12:345", true, 12, 345L)]
    [InlineData(":5", false, 0, 0L)]
    [InlineData("1:", false, 0, 0L)]
    [InlineData("-1:5", false, 0, 0L)]
    [InlineData("1:5:6", false, 0, 0L)]
    public void TryParseKey_Text_ReadsPartitionAndOffset(string key, bool parsed, int partition, long offset)
    {
        Assert.Equal(parsed, ReplayLedger.TryParseKey(key, out var p, out var o));
        if (parsed)
        {
            Assert.Equal((partition, offset), (p, o));
        }
    }

    private static ConsumeResult<byte[]?, byte[]?> Read(Message<byte[]?, byte[]?> message) => new()
    {
        Message = message,
        Topic = "orders.dlq.replayed",
        Partition = 0,
        Offset = 0,
    };
}
