using CsCheck;
using Samsa.Protocol.Records;
using Samsa.Protocol.Records.Compression;

namespace Samsa.Protocol.Tests.Records;

/// <summary>
/// Random and mutated input must either decode or throw <see cref="ProtocolException"/>: no other
/// exception, no hang, no unbounded allocation. Iteration counts keep the file to a few seconds.
/// </summary>
public class RecordBatchFuzzTests
{
    private const int Limit = 4 * 1024 * 1024;
    private const int TimeoutMs = 120_000;

    private static readonly byte[][] ValidBatches = TestData.AllCodecs
        .Select(codec => TestData.Build(TestData.MixedRecords(100, 1_700_000_000_000, 25, valueSize: 60), 100, codec))
        .Concat([TestData.Build(TestData.MixedRecords(0, 5, 3), 0, CompressionType.Snappy, b => b.CompressionOptions = new CompressionOptions { SnappyXerialFraming = true, SnappyXerialChunkSize = 256 })])
        .ToArray();

    private static readonly byte[][] UncompressedSections = ValidBatches
        .Take(1)
        .Select(b => b[RecordBatchHeader.Size..])
        .ToArray();

    /// <summary>Every decode path over <paramref name="bytes"/>; swallows only <see cref="ProtocolException"/>.</summary>
    private static void DecodeEverything(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            var reader = new RecordBatchReader(bytes);
            while (reader.TryReadNext(out var batch))
            {
                batch.VerifyCrc();
                try
                {
                    batch.ReadRecords(Limit);
                }
                catch (ProtocolException)
                {
                }

                using var decoded = batch.DecodeRecords(Limit);
                foreach (var record in decoded)
                {
                    _ = record.Key.Length + record.Value.Length;
                    foreach (var header in record.Headers)
                    {
                        _ = header.GetKeyString();
                        _ = header.Value.Length;
                    }
                }
            }

            _ = reader.PartialBytes;
        }
        catch (ProtocolException)
        {
        }
    }

    private static byte[] Mutate(byte[] source, (int Position, byte Xor)[] flips, int cut)
    {
        var bytes = (byte[])source.Clone();
        foreach (var (position, xor) in flips)
        {
            bytes[position % bytes.Length] ^= xor;
        }

        // cut: 0..100, where 100 keeps everything.
        return bytes[..(int)((long)bytes.Length * cut / 100)];
    }

    [Fact(Timeout = TimeoutMs)]
    public async Task Decode_RandomBytes_OnlyProtocolException() =>
        await Task.Run(() => Gen.Byte.Array[0, 2000].Sample(bytes => DecodeEverything(bytes), iter: 4000, threads: 1));

    [Fact(Timeout = TimeoutMs)]
    public async Task Decode_ValidHeaderWithRandomRecords_OnlyProtocolException()
    {
        // A correct header in front of random bytes gets past the framing checks into record and codec parsing.
        var gen = Gen.Select(Gen.Int[0, 4], Gen.Int[-1, 40], Gen.Int[-1, 40], Gen.Byte.Array[0, 1500]);
        await Task.Run(() => gen.Sample(
            t => DecodeEverything(RawBatch.Create(t.Item4, recordCount: t.Item2, lastOffsetDelta: t.Item3, codec: (CompressionType)t.Item1)),
            iter: 4000,
            threads: 1));
    }

    [Fact(Timeout = TimeoutMs)]
    public async Task Decode_MutatedValidBatches_OnlyProtocolException()
    {
        var gen = Gen.Select(
            Gen.Int[0, ValidBatches.Length - 1],
            Gen.Select(Gen.Int[0, int.MaxValue], Gen.Byte[1, 255]).Array[1, 4],
            Gen.OneOf(Gen.Const(100), Gen.Int[0, 100]));
        await Task.Run(() => gen.Sample(
            t => DecodeEverything(Mutate(ValidBatches[t.Item1], t.Item2, t.Item3)),
            iter: 6000,
            threads: 1));
    }

    [Fact(Timeout = TimeoutMs)]
    public async Task Decode_MutatedRecordsInsideValidCompression_OnlyProtocolException()
    {
        // Corrupt the records, then compress them properly, so the record parser sees the damage after decompression.
        var gen = Gen.Select(
            Gen.Int[1, 4],
            Gen.Select(Gen.Int[0, int.MaxValue], Gen.Byte[1, 255]).Array[1, 3],
            Gen.OneOf(Gen.Const(100), Gen.Int[0, 100]));
        await Task.Run(() => gen.Sample(
            t =>
            {
                var section = Mutate(UncompressedSections[0], t.Item2, t.Item3);
                var codec = (CompressionType)t.Item1;
                DecodeEverything(RawBatch.Create(RecordCompression.Compress(codec, section), 25, 24, codec: codec));
            },
            iter: 2000,
            threads: 1));
    }

    [Fact(Timeout = TimeoutMs)]
    public async Task Decompress_MutatedCompressedBlocks_OnlyProtocolException()
    {
        var data = TestData.Compressible(20_000, 1);
        var blocks = TestData.AllCodecs.Skip(1)
            .Select(codec => (Codec: codec, Bytes: RecordCompression.Compress(codec, data)))
            .Append((Codec: CompressionType.Snappy, Bytes: TestData.XerialFrame(data, 4096)))
            .ToArray();
        var gen = Gen.Select(
            Gen.Int[0, blocks.Length - 1],
            Gen.Select(Gen.Int[0, int.MaxValue], Gen.Byte[1, 255]).Array[1, 4],
            Gen.OneOf(Gen.Const(100), Gen.Int[0, 100]));
        await Task.Run(() => gen.Sample(
            t =>
            {
                var (codec, bytes) = blocks[t.Item1];
                try
                {
                    RecordCompression.Decompress(codec, Mutate(bytes, t.Item2, t.Item3), 1024 * 1024);
                }
                catch (ProtocolException)
                {
                }
            },
            iter: 3000,
            threads: 1));
    }
}
