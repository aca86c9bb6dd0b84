namespace Samsa.Broker.Storage;

/// <summary>The files of one partition in memory. They outlive the logs that open them, so a log closed and opened again finds its data.</summary>
internal sealed class MemoryLogDirectory(string name) : ILogDirectory
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, MemoryLogFile> _files = new(StringComparer.Ordinal);
    private readonly Dictionary<string, byte[]> _smallFiles = new(StringComparer.Ordinal);

    public string Name { get; } = name;

    public IReadOnlyList<string> ListFiles()
    {
        lock (_lock)
        {
            return [.. _files.Keys, .. _smallFiles.Keys];
        }
    }

    public bool Exists(string fileName)
    {
        lock (_lock)
        {
            return _files.ContainsKey(fileName) || _smallFiles.ContainsKey(fileName);
        }
    }

    public ILogFile Open(string fileName)
    {
        lock (_lock)
        {
            if (!_files.TryGetValue(fileName, out var file))
            {
                file = new MemoryLogFile();
                _files.Add(fileName, file);
            }

            return file;
        }
    }

    public void Delete(string fileName)
    {
        lock (_lock)
        {
            _files.Remove(fileName);
            _smallFiles.Remove(fileName);
        }
    }

    public void Rename(string source, string destination)
    {
        lock (_lock)
        {
            if (!_files.Remove(source, out var file))
            {
                throw new FileNotFoundException($"{Name} has no file {source} to rename.", source);
            }

            _smallFiles.Remove(destination);
            _files[destination] = file;
        }
    }

    public byte[]? ReadSmallFile(string fileName)
    {
        lock (_lock)
        {
            return _smallFiles.TryGetValue(fileName, out var content) ? content.ToArray() : null;
        }
    }

    public void WriteSmallFile(string fileName, ReadOnlySpan<byte> content)
    {
        var copy = content.ToArray();
        lock (_lock)
        {
            _smallFiles[fileName] = copy;
        }
    }
}
