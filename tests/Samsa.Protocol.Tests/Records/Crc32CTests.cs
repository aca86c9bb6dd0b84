using System.Text;
using Samsa.Protocol.Records;

namespace Samsa.Protocol.Tests.Records;

public class Crc32CTests
{
    /// <summary>Bit-at-a-time CRC-32C (reflected polynomial 0x82F63B78), the slow obvious reference.</summary>
    private static uint Reference(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        foreach (var b in data)
        {
            crc ^= b;
            for (var i = 0; i < 8; i++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }

        return ~crc;
    }

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public void Compute_CheckString_ReturnsKnownValue() =>
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void Compute_Empty_ReturnsZero() => Assert.Equal(0u, Crc32C.Compute([]));

    [Fact]
    public void Compute_Rfc3720Vectors_ReturnKnownValues()
    {
        var zeros = new byte[32];
        var ones = Enumerable.Repeat((byte)0xFF, 32).ToArray();
        var ascending = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var descending = Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray();

        Assert.Equal(0x8A9136AAu, Crc32C.Compute(zeros));
        Assert.Equal(0x62A8AB43u, Crc32C.Compute(ones));
        Assert.Equal(0x46DD794Eu, Crc32C.Compute(ascending));
        Assert.Equal(0x113FDB5Cu, Crc32C.Compute(descending));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(767)]
    [InlineData(768)]
    [InlineData(769)]
    [InlineData(1543)]
    [InlineData(12287)]
    [InlineData(12288)]
    [InlineData(12289)]
    [InlineData(13063)]
    [InlineData(100_003)]
    [InlineData(1 << 20)]
    public void Compute_VariousLengths_MatchesBitwiseReference(int length)
    {
        var data = RandomBytes(length, length);
        Assert.Equal(Reference(data), Crc32C.Compute(data));
    }

    [Fact]
    public void Compute_UnalignedSlices_MatchBitwiseReference()
    {
        var data = RandomBytes(40_000, 7);
        for (var start = 0; start < 9; start++)
        {
            var slice = data.AsSpan(start, data.Length - 9);
            Assert.Equal(Reference(slice), Crc32C.Compute(slice));
        }
    }

    [Fact]
    public void Append_SplitAtAnyPoint_EqualsOneShot()
    {
        var data = RandomBytes(30_000, 11);
        var expected = Crc32C.Compute(data);
        foreach (var split in new[] { 0, 1, 5, 8, 100, 767, 768, 12_288, 20_001, 29_999, 30_000 })
        {
            var crc = Crc32C.Append(Crc32C.Compute(data.AsSpan(0, split)), data.AsSpan(split));
            Assert.Equal(expected, crc);
        }
    }

    [Fact]
    public void Append_ManySmallPieces_EqualsOneShot()
    {
        var data = RandomBytes(5_000, 3);
        var random = new Random(5);
        var crc = 0u;
        var position = 0;
        while (position < data.Length)
        {
            var take = Math.Min(random.Next(0, 50), data.Length - position);
            crc = Crc32C.Append(crc, data.AsSpan(position, take));
            position += take;
        }

        Assert.Equal(Crc32C.Compute(data), crc);
    }
}
