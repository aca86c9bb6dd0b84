namespace Samsa.Broker.Storage;

/// <summary>The files of one partition in a directory on disk.</summary>
internal sealed class DiskLogDirectory : ILogDirectory
{
    private const string TempSuffix = ".tmp";

    public DiskLogDirectory(string path)
    {
        Name = path;
        Directory.CreateDirectory(path);
    }

    public string Name { get; }

    public IReadOnlyList<string> ListFiles() =>
        [.. Directory.EnumerateFiles(Name).Select(path => System.IO.Path.GetFileName(path))];

    public bool Exists(string fileName) => File.Exists(PathOf(fileName));

    public ILogFile Open(string fileName) => new DiskLogFile(PathOf(fileName));

    public void Delete(string fileName) => File.Delete(PathOf(fileName));

    public void Rename(string source, string destination) => File.Move(PathOf(source), PathOf(destination), overwrite: true);

    public byte[]? ReadSmallFile(string fileName)
    {
        try
        {
            return File.ReadAllBytes(PathOf(fileName));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    public void WriteSmallFile(string fileName, ReadOnlySpan<byte> content)
    {
        var path = PathOf(fileName);
        var temp = path + TempSuffix;
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    private string PathOf(string fileName)
    {
        if (fileName.Length == 0 || fileName.AsSpan().IndexOfAny('/', '\\') >= 0 || fileName is "." or "..")
        {
            throw new ArgumentException($"'{fileName}' is not a plain file name.", nameof(fileName));
        }

        return System.IO.Path.Combine(Name, fileName);
    }
}
