using System.Text;
using Samsa.Broker.Storage;

namespace Samsa.Broker.Tests.Storage;

public sealed class KeyOffsetMapTests
{
    [Fact]
    public void Put_SameKeyTwice_KeepsHighestOffsetAndCountsKeyOnce()
    {
        var map = new KeyOffsetMap();
        map.Put("a"u8, 5);
        map.Put("a"u8, 3);
        map.Put("b"u8, 1);
        var bytes = map.ApproximateBytes;
        map.Put("a"u8, 9);

        Assert.True(map.TryGetLatest("a"u8, out var latest));
        Assert.Equal(9, latest);
        Assert.Equal(2, map.Count);
        Assert.Equal(bytes, map.ApproximateBytes);
    }

    [Fact]
    public void TryGetLatest_KeysCompareByContent_NotByArray()
    {
        var map = new KeyOffsetMap();
        map.Put(Encoding.UTF8.GetBytes("key"), 7);

        Assert.True(map.TryGetLatest(Encoding.UTF8.GetBytes("key"), out var latest));
        Assert.Equal(7, latest);
        Assert.False(map.TryGetLatest("ke"u8, out _));
        Assert.False(map.TryGetLatest([], out _));
    }
}
