using System.Runtime.CompilerServices;

namespace Samsa.Testing.Sample.Tests;

internal static class NativeLibrary
{
    /// <summary>Makes Confluent.Kafka use its bundled librdkafka even where an older one is on the library path.</summary>
    [ModuleInitializer]
    internal static void Load() => Samsa.Native.LibrdkafkaLoader.EnsureLoaded();
}
