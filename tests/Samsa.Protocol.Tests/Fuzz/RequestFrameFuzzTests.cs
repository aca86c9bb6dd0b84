using System.Buffers;
using CsCheck;
using Samsa.Protocol.Framing;
using Samsa.Protocol.Messages;

namespace Samsa.Protocol.Tests.Fuzz;

/// <summary>
/// Random and mutated request frames through framing and decoding: the only exception that may
/// come out is <see cref="ProtocolException"/>, and every run ends.
/// </summary>
public class RequestFrameFuzzTests
{
    private static readonly byte[][] ValidFrames = BuildValidFrames();

    private static byte[][] BuildValidFrames()
    {
        var requests = new (IKafkaRequest Request, short Version)[]
        {
            (new ApiVersionsRequest { ClientSoftwareName = "fuzz", ClientSoftwareVersion = "1" }, 3),
            (new MetadataRequest { Topics = [new() { Name = "orders" }, new() { Name = "payments" }] }, 12),
            (new MetadataRequest { Topics = [new() { Name = "orders" }] }, 1),
            (new ProduceRequest { Acks = -1, TimeoutMs = 1000, TopicData = [new() { Name = "orders", PartitionData = [new() { Index = 0, Records = new byte[] { 1, 2, 3, 4 } }] }] }, 9),
            (new ProduceRequest { Acks = 1, TimeoutMs = 1000, TopicData = [new() { Name = "orders", PartitionData = [new() { Index = 3, Records = new byte[40] }] }] }, 3),
            (new FetchRequest { MaxWaitMs = 100, Topics = [new() { Topic = "orders", Partitions = [new() { Partition = 0, FetchOffset = 42, PartitionMaxBytes = 1 << 20 }] }] }, 11),
            (new FetchRequest { MaxWaitMs = 100, Topics = [new() { TopicId = Guid.NewGuid(), Partitions = [new() { Partition = 0, FetchOffset = 42, PartitionMaxBytes = 1 << 20 }] }] }, 16),
            (new CreateTopicsRequest { Topics = [new() { Name = "t", NumPartitions = 3, ReplicationFactor = 1, Configs = [new() { Name = "retention.ms", Value = "1000" }] }] }, 7),
            (new JoinGroupRequest { GroupId = "g", MemberId = "", ProtocolType = "consumer", Protocols = [new() { Name = "range", Metadata = [0, 1, 2] }] }, 9),
        };
        return requests.Select(r =>
        {
            using var output = new PooledBufferWriter();
            KafkaFrames.WriteRequest(output, r.Request, r.Version, correlationId: 7, clientId: "fuzzer");
            return output.ToArray();
        }).ToArray();
    }

    /// <summary>Frames then decodes every whole frame in <paramref name="bytes"/>.</summary>
    private static void DecodeStream(byte[] bytes)
    {
        var sequence = new ReadOnlySequence<byte>(bytes);
        try
        {
            while (FrameReader.TryReadFrame(ref sequence, 1 << 20, out var frame))
            {
                KafkaFrames.ReadRequest(frame.ToArray());
            }
        }
        catch (ProtocolException)
        {
            // The one allowed outcome besides success.
        }
    }

    [Fact]
    public void ReadRequest_ValidFrames_Decode()
    {
        foreach (var frame in ValidFrames)
        {
            var sequence = new ReadOnlySequence<byte>(frame);
            Assert.True(FrameReader.TryReadFrame(ref sequence, 1 << 20, out var body));
            var (header, _) = KafkaFrames.ReadRequest(body.ToArray());
            Assert.Equal(7, header.CorrelationId);
            Assert.True(sequence.IsEmpty);
        }
    }

    [Fact]
    public async Task ReadRequest_RandomBytes_OnlyProtocolException() =>
        await Task.Run(() => Gen.Byte.Array[0, 600].Sample(DecodeStream, iter: 20_000, threads: 1), TestContext.Current.CancellationToken);

    [Fact]
    public async Task ReadRequest_MutatedValidFrames_OnlyProtocolException()
    {
        var gen = Gen.Select(
            Gen.Int[0, ValidFrames.Length - 1],
            Gen.Select(Gen.Int[0, int.MaxValue], Gen.Byte).Array[1, 6],
            Gen.Int[0, 3]);
        await Task.Run(
            () => gen.Sample(
                (index, flips, mode) =>
                {
                    var bytes = (byte[])ValidFrames[index].Clone();
                    foreach (var (position, value) in flips)
                    {
                        bytes[position % bytes.Length] = value;
                    }

                    // Mode 1 truncates, mode 2 appends garbage, mode 3 keeps the original size prefix over a shorter body.
                    bytes = mode switch
                    {
                        1 => bytes[..(flips[0].Item1 % bytes.Length)],
                        2 => [.. bytes, .. flips.Select(f => f.Item2)],
                        _ => bytes,
                    };
                    DecodeStream(bytes);
                },
                iter: 20_000,
                threads: 1),
            TestContext.Current.CancellationToken);
    }

    [Fact]
    public void TryReadFrame_SplitAtEveryOffset_YieldsTheSameFrames()
    {
        var stream = ValidFrames.SelectMany(f => f).ToArray();
        for (var split = 0; split <= stream.Length; split++)
        {
            var first = new Segment(stream.AsMemory(0, split));
            var last = first.Append(stream.AsMemory(split));
            var sequence = new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
            var decoded = 0;
            while (FrameReader.TryReadFrame(ref sequence, 1 << 20, out var frame))
            {
                KafkaFrames.ReadRequest(frame.ToArray());
                decoded++;
            }

            Assert.Equal(ValidFrames.Length, decoded);
            Assert.True(sequence.IsEmpty);
        }
    }

    [Fact]
    public void TryReadFrame_SizeAboveLimit_ThrowsBeforeReadingBody()
    {
        var sequence = new ReadOnlySequence<byte>(new byte[] { 0x00, 0x10, 0x00, 0x01 });

        var error = Assert.Throws<ProtocolException>(() => FrameReader.TryReadFrame(ref sequence, 1024, out _));

        Assert.Contains("exceeds the limit of 1024", error.Message, StringComparison.Ordinal);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}
