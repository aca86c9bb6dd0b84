using Samsa.ProtocolGenerator;
using Samsa.TestUtils;

namespace Samsa.Protocol.Tests.Generated;

public class MessageRoundTripTests
{
    private static readonly Lazy<Dictionary<string, MessageSpec>> Specs = new(LoadSpecs);

    private static Dictionary<string, MessageSpec> LoadSpecs()
    {
        var reference = RepositoryPaths.ProtocolReference;
        var result = new Dictionary<string, MessageSpec>(StringComparer.Ordinal);
        foreach (var folder in new[] { "messages", "internal-records" })
        {
            foreach (var spec in SchemaReader.ReadDirectory(Path.Combine(reference, folder)))
            {
                result[spec.Name] = spec;
            }
        }

        return result;
    }

    public static TheoryData<string, short> AllMessageVersions()
    {
        var data = new TheoryData<string, short>();
        foreach (var spec in Specs.Value.Values.OrderBy(s => s.Name, StringComparer.Ordinal))
        {
            for (var v = spec.ValidVersions.Min; v <= spec.ValidVersions.Max; v++)
            {
                data.Add(spec.Name, v);
            }
        }

        return data;
    }

    private static MessageSpec SpecOf(string name) => Specs.Value[name];

    private static byte[] Encode(IKafkaMessage message, short version)
    {
        using var buffer = new PooledBufferWriter();
        var writer = new KafkaWriter(buffer);
        message.Write(ref writer, version);
        return buffer.ToArray();
    }

    private static void AssertRoundTrip(MessageSpec spec, short version, bool useNulls)
    {
        var original = new MessageFiller(spec, version, useNulls).CreateFilled();
        var bytes = Encode(original, version);

        var decoded = (IKafkaMessage)Activator.CreateInstance(MessageFiller.ClassOf(spec))!;
        var reader = new KafkaReader(bytes.AsMemory());
        decoded.Read(ref reader, version);

        Assert.Equal(bytes.Length, reader.Position);
        var difference = MessageFiller.FindDifference(original, decoded, spec.Name);
        Assert.True(difference is null, $"{spec.Name} v{version}: {difference}");
        Assert.Equal(bytes, Encode(decoded, version));
    }

    [Theory]
    [MemberData(nameof(AllMessageVersions))]
    public void WriteThenRead_EveryFieldSet_ReturnsEqualMessage(string message, short version) =>
        AssertRoundTrip(SpecOf(message), version, useNulls: false);

    [Theory]
    [MemberData(nameof(AllMessageVersions))]
    public void WriteThenRead_NullableFieldsNull_ReturnsEqualMessage(string message, short version) =>
        AssertRoundTrip(SpecOf(message), version, useNulls: true);

    [Theory]
    [MemberData(nameof(AllMessageVersions))]
    public void Read_EveryTruncation_ThrowsProtocolException(string message, short version)
    {
        var spec = SpecOf(message);
        var bytes = Encode(new MessageFiller(spec, version, useNulls: false).CreateFilled(), version);
        var type = MessageFiller.ClassOf(spec);
        for (var length = 0; length < bytes.Length; length++)
        {
            var decoded = (IKafkaMessage)Activator.CreateInstance(type)!;
            var exception = Record.Exception(() =>
            {
                var reader = new KafkaReader(bytes.AsMemory(0, length));
                decoded.Read(ref reader, version);
            });
            // A prefix may decode only if it is itself a complete message (its encoding is exactly those bytes);
            // every other outcome must be a ProtocolException.
            if (exception is not null)
            {
                Assert.IsType<ProtocolException>(exception);
            }
            else
            {
                Assert.True(
                    bytes.AsSpan(0, length).SequenceEqual(Encode(decoded, version)),
                    $"{spec.Name} v{version}: the first {length} of {bytes.Length} bytes decoded without an error into a different message");
            }
        }
    }
}
