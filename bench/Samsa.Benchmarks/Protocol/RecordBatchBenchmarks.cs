using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Samsa.Benchmarks.Utils;
using Samsa.Protocol;
using Samsa.Protocol.Records;

namespace Samsa.Benchmarks.Protocol;

/// <summary>
/// Decode and encode of one ~1 MiB record batch (1024 records with 1 KiB text-like values),
/// uncompressed and snappy, against a plain copy of the same uncompressed batch bytes. The MB/s
/// column counts the uncompressed batch size for every method, so it compares directly with the
/// copy. Run: <c>dotnet run -c Release --project bench/Samsa.Benchmarks -- --filter '*RecordBatch*'</c>.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class RecordBatchBenchmarks : IDisposable
{
    private const int RecordCount = 1024;
    private const int ValueSize = 1024;
    private const long FirstTimestamp = 1_700_000_000_000;

    private static readonly Lazy<int> UncompressedBatchSize = new(() => BuildBatch(CompressionType.None).Length);

    private byte[] _batch = [];
    private byte[] _uncompressedBatch = [];
    private byte[] _copyTarget = [];
    private ReadOnlyMemory<byte>[] _keys = [];
    private ReadOnlyMemory<byte>[] _values = [];
    private RecordBatchBuilder _builder = null!;
    private PooledBufferWriter _output = null!;

    [Params(CompressionType.None, CompressionType.Snappy)]
    public CompressionType Codec { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_keys, _values) = MakeRecords();
        _batch = BuildBatch(Codec);
        _uncompressedBatch = BuildBatch(CompressionType.None);
        _copyTarget = new byte[_uncompressedBatch.Length];
        _builder = new RecordBatchBuilder(Codec, _uncompressedBatch.Length + 4096);
        _output = new PooledBufferWriter(_uncompressedBatch.Length + 4096);
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _builder?.Dispose();
        _output?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true, Description = "memcpy")]
    public int Copy()
    {
        _uncompressedBatch.AsSpan().CopyTo(_copyTarget);
        return _copyTarget[^1];
    }

    /// <summary>CRC check plus every record through the allocation-free views.</summary>
    [Benchmark]
    public long DecodeViews()
    {
        long total = 0;
        var reader = new RecordBatchReader(_batch);
        while (reader.TryReadNext(out var batch))
        {
            batch.EnsureValidCrc();
            using var records = batch.DecodeRecords();
            foreach (var record in records)
            {
                total += record.Key.Length + record.Value.Length + record.Offset;
            }
        }

        return total;
    }

    /// <summary>CRC check plus every record materialized as a <see cref="Record"/> in a list.</summary>
    [Benchmark]
    public int DecodeList()
    {
        var count = 0;
        var reader = new RecordBatchReader(_batch);
        while (reader.TryReadNext(out var batch))
        {
            batch.EnsureValidCrc();
            count += batch.ReadRecords().Count;
        }

        return count;
    }

    /// <summary>Appends every record, builds (compressing when set) and writes the batch to a reused buffer.</summary>
    [Benchmark]
    public int Encode()
    {
        _builder.Clear();
        for (var i = 0; i < _values.Length; i++)
        {
            _builder.Append(FirstTimestamp + i, _keys[i], _values[i]);
        }

        _output.Clear();
        _builder.WriteTo(_output);
        return _output.WrittenCount;
    }

    private static (ReadOnlyMemory<byte>[] Keys, ReadOnlyMemory<byte>[] Values) MakeRecords()
    {
        string[] words = ["{\"user\":", "\"event\":", "click", "view", "purchase", "\"ts\":", "session", "page", "/home", "/cart", "}", ","];
        var random = new Random(42);
        var keys = new ReadOnlyMemory<byte>[RecordCount];
        var values = new ReadOnlyMemory<byte>[RecordCount];
        var text = new StringBuilder();
        for (var i = 0; i < RecordCount; i++)
        {
            keys[i] = Encoding.ASCII.GetBytes($"user-{random.Next(100_000):D6}");
            text.Clear();
            while (text.Length < ValueSize)
            {
                text.Append(words[random.Next(words.Length)]).Append(random.Next(1_000_000)).Append(' ');
            }

            values[i] = Encoding.ASCII.GetBytes(text.ToString(0, ValueSize));
        }

        return (keys, values);
    }

    private static byte[] BuildBatch(CompressionType codec)
    {
        var (keys, values) = MakeRecords();
        using var builder = new RecordBatchBuilder(codec, 2 * 1024 * 1024);
        for (var i = 0; i < values.Length; i++)
        {
            builder.Append(FirstTimestamp + i, keys[i], values[i]);
        }

        return builder.ToArray();
    }

    private sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig()
        {
            AddColumn(new ThroughputColumn());
        }
    }

    /// <summary>Uncompressed batch bytes per second, from the mean time per operation.</summary>
    private sealed class ThroughputColumn() : SimpleColumn("MB/s", "Uncompressed batch megabytes (10^6 bytes) processed per second")
    {
        public override string GetValue(Summary summary, BenchmarkCase benchmarkCase)
        {
            var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
            if (mean is not > 0)
            {
                return "-";
            }

            var megabytesPerSecond = UncompressedBatchSize.Value / (mean.Value / 1e9) / 1e6;
            return megabytesPerSecond.ToString("N0", CultureInfo.InvariantCulture);
        }
    }
}
