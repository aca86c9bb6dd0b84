using System.Globalization;

namespace Samsa.Chaos.Worker;

/// <summary>
/// One line per handler call, <c>key seq partition offset</c>, written through to the OS at once: a SIGKILL loses no
/// line whose write returned (the page cache outlives the process), so the file is the record of what was handled.
/// </summary>
internal sealed class HandledLog : IDisposable
{
    private readonly Lock _lock = new();
    private readonly StreamWriter _writer;

    public HandledLog(string path)
    {
        var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 1);
        _writer = new StreamWriter(stream) { AutoFlush = true };
    }

    public void Append(string? key, long sequence, int partition, long offset)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"{key} {sequence} {partition} {offset}\n");
        lock (_lock)
        {
            _writer.Write(line);
        }
    }

    public void Dispose() => _writer.Dispose();
}
