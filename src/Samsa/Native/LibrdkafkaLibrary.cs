namespace Samsa.Native;

/// <summary>
/// The librdkafka that Confluent.Kafka is bound to in this process, as found by
/// <see cref="LibrdkafkaLoader.EnsureLoaded"/>.
/// </summary>
public sealed class LibrdkafkaLibrary
{
    internal LibrdkafkaLibrary(
        string path,
        Version version,
        string versionString,
        Version expectedVersion,
        string expectedVersionSource,
        IReadOnlyList<string> mappedFiles,
        nint handle)
    {
        Path = path;
        Version = version;
        VersionString = versionString;
        ExpectedVersion = expectedVersion;
        ExpectedVersionSource = expectedVersionSource;
        MappedFiles = mappedFiles;
        Handle = handle;
    }

    /// <summary>The bundled file Samsa asked Confluent.Kafka to load.</summary>
    public string Path { get; }

    /// <summary>The version Confluent.Kafka reports (<c>Library.Version</c>), as major.minor.revision.</summary>
    public Version Version { get; }

    /// <summary>The version string Confluent.Kafka reports (<c>Library.VersionString</c>).</summary>
    public string VersionString { get; }

    /// <summary>The librdkafka version the application was built against.</summary>
    public Version ExpectedVersion { get; }

    /// <summary>Where <see cref="ExpectedVersion"/> came from (the deps file or the Confluent.Kafka assembly).</summary>
    public string ExpectedVersionSource { get; }

    /// <summary>Every librdkafka file mapped into this process when the check ran.</summary>
    public IReadOnlyList<string> MappedFiles { get; }

    /// <summary>Native handle of <see cref="Path"/>, used to call librdkafka's configuration API.</summary>
    internal nint Handle { get; }

    /// <inheritdoc />
    public override string ToString() => $"librdkafka {VersionString} from {Path}";
}
