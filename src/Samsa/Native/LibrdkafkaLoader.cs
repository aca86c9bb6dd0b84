using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using Confluent.Kafka;

namespace Samsa.Native;

/// <summary>
/// Makes Confluent.Kafka use the librdkafka that ships with it (the librdkafka.redist package,
/// <c>runtimes/&lt;rid&gt;/native/</c> next to the application), never an older copy on the library path.
/// </summary>
/// <remarks>
/// <para>
/// Why this exists. Confluent.Kafka, left alone, asks the runtime for "librdkafka". On Debian 12 the
/// bundled <c>librdkafka.so</c> (the build with GSSAPI) cannot load, because it needs
/// <c>libsasl2.so.3</c> and Debian ships <c>libsasl2.so.2</c>. The runtime then goes on to the system
/// search path, and a <c>librdkafka.so</c> there (Debian's librdkafka-dev 2.0.2, or any directory in
/// <c>LD_LIBRARY_PATH</c>) wins: the client starts and fails later, at the first call into a function
/// 2.0.2 lacks, with <see cref="EntryPointNotFoundException"/>. Only when nothing is found there does
/// Confluent.Kafka fall back to the bundled <c>centos8-librdkafka.so</c> (the same version, without GSSAPI).
/// </para>
/// <para>
/// What it does. <see cref="EnsureLoaded"/> picks the first bundled file that loads with its dependencies
/// (<c>librdkafka.so</c>, then <c>centos8-librdkafka.so</c> or <c>alpine-librdkafka.so</c>), points
/// Confluent.Kafka's native imports at it, calls <c>Library.Load(path)</c> once, and checks that
/// <c>Library.Version</c> is the version the application was built with (the librdkafka.redist version in
/// the deps file, else the Confluent.Kafka assembly version, which Confluent keeps in step with it).
/// On a mismatch it throws <see cref="LibrdkafkaLoadException"/> naming every librdkafka file mapped into
/// the process. Call it at start-up, before any Kafka client is created: a librdkafka that was already
/// loaded cannot be replaced.
/// </para>
/// </remarks>
public static class LibrdkafkaLoader
{
    /// <summary>The NuGet package that carries the native librdkafka builds.</summary>
    public const string RedistPackageId = "librdkafka.redist";

    /// <summary>The <c>rd_kafka_version()</c> low byte of a final (not pre-release) build.</summary>
    private const int FinalReleaseMarker = 0xff;

    private static readonly Lazy<LibrdkafkaLibrary> Loaded = new(Load, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Loads the bundled librdkafka into Confluent.Kafka once (thread-safe) and checks its version.
    /// Later calls return the first result, or throw the first failure again.
    /// </summary>
    /// <exception cref="LibrdkafkaLoadException">The bundled library is missing, cannot load, or another version is bound.</exception>
    public static LibrdkafkaLibrary EnsureLoaded() => Loaded.Value;

    /// <summary>Decodes <c>rd_kafka_version()</c> (0xMMmmrrpp) into major.minor.revision.</summary>
    internal static Version DecodeVersion(int packed) =>
        new((packed >> 24) & 0xff, (packed >> 16) & 0xff, (packed >> 8) & 0xff);

    /// <summary>True when the low byte marks a pre-release build.</summary>
    internal static bool IsPreRelease(int packed) => (packed & 0xff) != FinalReleaseMarker;

    /// <summary>Same major, minor and revision: the only versions a build of Confluent.Kafka is tested with.</summary>
    internal static bool IsExpected(Version loaded, Version expected) =>
        loaded.Major == expected.Major && loaded.Minor == expected.Minor && Math.Max(loaded.Build, 0) == Math.Max(expected.Build, 0);

    /// <summary>The message for a version mismatch; it names what was asked for and what is mapped.</summary>
    internal static string MismatchMessage(
        string loadedVersion, Version expected, string expectedSource, string requestedPath, IReadOnlyList<string> mappedFiles)
    {
        var files = mappedFiles.Count == 0 ? "(none found)" : string.Join(", ", mappedFiles);
        return $"Confluent.Kafka is bound to librdkafka {loadedVersion}, but this application was built with {expected.ToString(3)} " +
            $"({expectedSource}). Samsa asked for {requestedPath}. librdkafka files loaded in this process: {files}. " +
            "A librdkafka that is already loaded cannot be replaced: call LibrdkafkaLoader.EnsureLoaded() at start-up, before any Kafka client " +
            "is created, and remove the other copy from the library path (LD_LIBRARY_PATH, a librdkafka-dev package).";
    }

    /// <summary>The bundled files to try, best first, for this operating system and architecture.</summary>
    internal static IReadOnlyList<string> BundledCandidates(string baseDirectory)
    {
        var rid = PortableRuntimeIdentifier();
        string[] names;
        if (OperatingSystem.IsWindows())
        {
            names = ["librdkafka.dll"];
        }
        else if (OperatingSystem.IsMacOS())
        {
            names = ["librdkafka.dylib"];
        }
        else
        {
            var musl = RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.OrdinalIgnoreCase);
            names = musl ? ["librdkafka.so", "alpine-librdkafka.so"] : ["librdkafka.so", "centos8-librdkafka.so"];
        }

        var candidates = new List<string>();
        foreach (var name in names)
        {
            // A framework-dependent build keeps runtimes/<rid>/native; a RID-specific publish puts the file beside the app.
            candidates.Add(System.IO.Path.Combine(baseDirectory, "runtimes", rid, "native", name));
            candidates.Add(System.IO.Path.Combine(baseDirectory, name));
        }

        return candidates;
    }

    /// <summary>Every file mapped into this process whose name contains "rdkafka".</summary>
    internal static IReadOnlyList<string> MappedLibrdkafkaFiles()
    {
        try
        {
            using var process = Process.GetCurrentProcess();
            return process.Modules
                .Cast<ProcessModule>()
                .Select(module => module.FileName)
                .Where(file => file.Contains("rdkafka", StringComparison.OrdinalIgnoreCase))
                .Distinct(StringComparer.Ordinal)
                .ToList();
        }
        catch (Exception exception) when (exception is InvalidOperationException or NotSupportedException or System.ComponentModel.Win32Exception)
        {
            return [];
        }
    }

    /// <summary>The librdkafka version the application was built with, and where that fact came from.</summary>
    internal static (Version Version, string Source) ExpectedVersion()
    {
        if (AppContext.GetData("APP_CONTEXT_DEPS_FILES") is string depsFiles)
        {
            foreach (var depsFile in depsFiles.Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                var fromDeps = RedistVersionFromDepsFile(depsFile);
                if (fromDeps is not null)
                {
                    return (fromDeps, $"{RedistPackageId} {fromDeps.ToString(3)} in {System.IO.Path.GetFileName(depsFile)}");
                }
            }
        }

        var assembly = typeof(Library).Assembly;
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var version = ParseVersionPrefix(informational) ?? assembly.GetName().Version ?? new Version(0, 0, 0);
        return (version, $"Confluent.Kafka assembly {version.ToString(3)}, which ships {RedistPackageId} of the same version");
    }

    /// <summary>Reads the <c>librdkafka.redist/x.y.z</c> entry of a deps file, or null.</summary>
    internal static Version? RedistVersionFromDepsFile(string depsFile)
    {
        try
        {
            using var stream = File.OpenRead(depsFile);
            using var document = JsonDocument.Parse(stream);
            if (!document.RootElement.TryGetProperty("libraries", out var libraries))
            {
                return null;
            }

            foreach (var library in libraries.EnumerateObject())
            {
                var prefix = RedistPackageId + "/";
                if (library.Name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                {
                    return ParseVersionPrefix(library.Name[prefix.Length..]);
                }
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or JsonException)
        {
            return null;
        }

        return null;
    }

    private static Version? ParseVersionPrefix(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var end = text.IndexOfAny(['+', '-']);
        var core = end < 0 ? text : text[..end];
        return Version.TryParse(core, out var version) ? version : null;
    }

    private static string PortableRuntimeIdentifier()
    {
        var os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        var arch = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x64",
            Architecture.X86 => "x86",
            Architecture.Arm64 => "arm64",
            Architecture.Arm => "arm",
            Architecture.S390x => "s390x",
            _ => "unsupported",
        };
        return $"{os}-{arch}";
    }

    private static LibrdkafkaLibrary Load()
    {
        var (expected, expectedSource) = ExpectedVersion();
        var candidates = BundledCandidates(AppContext.BaseDirectory);
        var present = candidates.Where(File.Exists).ToList();
        if (present.Count == 0)
        {
            throw new LibrdkafkaLoadException(
                $"The librdkafka bundled with Confluent.Kafka ({expectedSource}) was not found. Looked for: {string.Join(", ", candidates)}. " +
                $"Reference the {RedistPackageId} package (Confluent.Kafka brings it) and publish its native assets.");
        }

        var (path, handle) = LoadFirstUsable(present);
        var resolverInstalled = TryInstallResolver(handle);

        Exception? loadFailure = null;
        try
        {
            // Returns false when Confluent.Kafka had already loaded a librdkafka; the version check below catches that case.
            Library.Load(path);
        }
        catch (Exception exception) when (exception is DllNotFoundException or InvalidOperationException or EntryPointNotFoundException)
        {
            loadFailure = exception;
        }

        int packed;
        string versionString;
        try
        {
            packed = Library.Version;
            versionString = Library.VersionString;
        }
        catch (Exception exception) when (exception is DllNotFoundException or InvalidOperationException or EntryPointNotFoundException)
        {
            var why = resolverInstalled
                ? string.Empty
                : " Another component had already set the native import resolver of Confluent.Kafka, so Samsa could not redirect it.";
            throw new LibrdkafkaLoadException(
                $"Confluent.Kafka could not load librdkafka from {path}: {(loadFailure ?? exception).Message}.{why}", loadFailure ?? exception);
        }

        var version = DecodeVersion(packed);
        var mapped = MappedLibrdkafkaFiles();
        if (!IsExpected(version, expected))
        {
            throw new LibrdkafkaLoadException(MismatchMessage(versionString, expected, expectedSource, path, mapped));
        }

        return new LibrdkafkaLibrary(path, version, versionString, expected, expectedSource, mapped, handle);
    }

    private static (string Path, nint Handle) LoadFirstUsable(IReadOnlyList<string> present)
    {
        var failures = new List<string>();
        foreach (var candidate in present)
        {
            try
            {
                return (candidate, NativeLibrary.Load(candidate));
            }
            catch (DllNotFoundException exception)
            {
                // Typically a missing dependency, such as libsasl2.so.3 for the GSSAPI build on Debian.
                failures.Add($"{candidate}: {exception.Message}");
            }
        }

        throw new LibrdkafkaLoadException(
            "None of the librdkafka builds bundled with Confluent.Kafka could be loaded: " + string.Join(" | ", failures));
    }

    private static bool TryInstallResolver(nint handle)
    {
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(Library).Assembly, (name, _, _) => Resolve(name, handle));
            return true;
        }
        catch (InvalidOperationException)
        {
            // Only one resolver per assembly: someone else (a test helper, the host) set one first.
            return false;
        }
    }

    private static nint Resolve(string name, nint handle)
    {
        if (name.EndsWith("librdkafka", StringComparison.Ordinal))
        {
            // "librdkafka", "centos8-librdkafka", "alpine-librdkafka": all go to the file chosen above.
            return handle;
        }

        if (name == "libdl" && OperatingSystem.IsLinux())
        {
            // Library.Load(path) calls dlopen through "libdl"; glibc systems without the -dev package only have libdl.so.2,
            // and glibc 2.34+ also exports dlopen from libc.so.6.
            if (NativeLibrary.TryLoad("libdl.so.2", out var libdl) || NativeLibrary.TryLoad("libc.so.6", out libdl))
            {
                return libdl;
            }
        }

        return IntPtr.Zero;
    }
}
