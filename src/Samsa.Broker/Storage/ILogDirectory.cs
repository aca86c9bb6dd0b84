namespace Samsa.Broker.Storage;

/// <summary>
/// The files of one partition log: a directory on disk or a set of byte arrays in memory. File
/// names are plain names (no separators), as <see cref="LogFileNames"/> makes them.
/// </summary>
internal interface ILogDirectory
{
    /// <summary>Where the files are, for log messages: a path, or <c>memory:&lt;topic&gt;-&lt;partition&gt;</c>.</summary>
    string Name { get; }

    IReadOnlyList<string> ListFiles();

    bool Exists(string fileName);

    /// <summary>Opens a file for appending and reading, creating it empty when missing.</summary>
    ILogFile Open(string fileName);

    /// <summary>Deletes a file (close it first); nothing when it is missing.</summary>
    void Delete(string fileName);

    /// <summary>Renames a closed file, replacing any file already named <paramref name="destination"/> (atomically on disk, as rename(2) does).</summary>
    void Rename(string source, string destination);

    /// <summary>The whole content of a small file, or null when it is missing.</summary>
    byte[]? ReadSmallFile(string fileName);

    /// <summary>Replaces a small file atomically and durably: readers see the old or the new content, never a mix.</summary>
    void WriteSmallFile(string fileName, ReadOnlySpan<byte> content);
}
