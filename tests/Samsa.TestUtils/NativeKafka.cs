using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Samsa.TestUtils;

/// <summary>
/// Makes Confluent.Kafka bind to the librdkafka it ships with (not a system copy such as Debian's
/// 2.0.2, which kcat pulls in) before any test creates a client. Library.Load(path) cannot be used
/// on Debian 12: it dlopens through "libdl", which exists there only as libdl.so.2.
/// </summary>
public static class NativeKafka
{
    private static readonly Lazy<string> Loaded = new(Load);

    public static string EnsureLoaded() => Loaded.Value;

    private static string Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "librdkafka.so");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The librdkafka bundled with Confluent.Kafka was not found at {path}.");
        }

        NativeLibrary.SetDllImportResolver(
            typeof(Library).Assembly,
            (name, _, _) => name.StartsWith("librdkafka", StringComparison.Ordinal) ? NativeLibrary.Load(path) : IntPtr.Zero);
        var version = Library.VersionString;
        if (!version.StartsWith("2.16", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Loaded librdkafka {version}, expected 2.16.x from {path}.");
        }

        return path;
    }
}
