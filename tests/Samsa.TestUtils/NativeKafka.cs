using Samsa.Native;

namespace Samsa.TestUtils;

/// <summary>
/// Makes Confluent.Kafka bind to the librdkafka it ships with (not a system copy such as Debian's
/// 2.0.2, which kcat pulls in) before any test creates a client, through the library's own loader.
/// </summary>
public static class NativeKafka
{
    public static string EnsureLoaded() => LibrdkafkaLoader.EnsureLoaded().Path;
}
