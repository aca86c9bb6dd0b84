using Confluent.Kafka;
using Samsa.Native;

namespace Samsa.Tests.Native;

public class LibrdkafkaLoaderTests
{
    [Fact]
    public void EnsureLoaded_BundledLibrary_LoadedWithExpectedVersion()
    {
        var library = LibrdkafkaLoader.EnsureLoaded();

        Assert.StartsWith(Path.Combine(AppContext.BaseDirectory, "runtimes"), library.Path, StringComparison.Ordinal);
        Assert.Equal(new Version(2, 16, 0), library.ExpectedVersion);
        Assert.Equal(library.ExpectedVersion, library.Version);
        Assert.Equal("2.16.0", library.VersionString);
        Assert.Equal(library.VersionString, Library.VersionString);
        Assert.Contains(library.Path, library.MappedFiles);
        Assert.DoesNotContain(library.MappedFiles, file => file.StartsWith("/usr/lib", StringComparison.Ordinal));
    }

    [Fact]
    public void EnsureLoaded_CalledInParallel_SameResult()
    {
        var results = new LibrdkafkaLibrary[8];

        Parallel.For(0, results.Length, i => results[i] = LibrdkafkaLoader.EnsureLoaded());

        Assert.All(results, result => Assert.Same(results[0], result));
    }

    [Fact]
    public void ExpectedVersion_TestDepsFile_ComesFromRedistPackage()
    {
        var (version, source) = LibrdkafkaLoader.ExpectedVersion();

        Assert.Equal(new Version(2, 16, 0), version);
        Assert.StartsWith("librdkafka.redist 2.16.0 in ", source, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x021000ff, 2, 16, 0, false)]
    [InlineData(0x020002ff, 2, 0, 2, false)]
    [InlineData(0x02100101, 2, 16, 1, true)]
    public void DecodeVersion_PackedValues_MajorMinorRevision(int packed, int major, int minor, int revision, bool preRelease)
    {
        Assert.Equal(new Version(major, minor, revision), LibrdkafkaLoader.DecodeVersion(packed));
        Assert.Equal(preRelease, LibrdkafkaLoader.IsPreRelease(packed));
    }

    [Theory]
    [InlineData("2.16.0", "2.16.0", true)]
    [InlineData("2.0.2", "2.16.0", false)]
    [InlineData("2.16.1", "2.16.0", false)]
    public void IsExpected_Versions_SameMajorMinorRevision(string loaded, string expected, bool match)
    {
        Assert.Equal(match, LibrdkafkaLoader.IsExpected(Version.Parse(loaded), Version.Parse(expected)));
    }

    [Fact]
    public void MismatchMessage_SystemLibraryWon_NamesLoadedFile()
    {
        var message = LibrdkafkaLoader.MismatchMessage(
            "2.0.2", new Version(2, 16, 0), "librdkafka.redist 2.16.0 in app.deps.json", "/app/runtimes/linux-x64/native/librdkafka.so",
            ["/usr/lib/x86_64-linux-gnu/librdkafka.so.1"]);

        Assert.Contains("bound to librdkafka 2.0.2", message, StringComparison.Ordinal);
        Assert.Contains("built with 2.16.0", message, StringComparison.Ordinal);
        Assert.Contains("/usr/lib/x86_64-linux-gnu/librdkafka.so.1", message, StringComparison.Ordinal);
        Assert.Contains("LD_LIBRARY_PATH", message, StringComparison.Ordinal);
    }

    [Fact]
    public void BundledCandidates_Linux_RuntimesDirectoryFirst()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "Linux file names");

        var candidates = LibrdkafkaLoader.BundledCandidates("/app");

        Assert.Equal("/app/runtimes/linux-x64/native/librdkafka.so", candidates[0]);
        Assert.Contains("/app/runtimes/linux-x64/native/centos8-librdkafka.so", candidates);
    }
}
