using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Samsa.TestUtils;

/// <summary>A long-running helper process (ZooKeeper, Burrow) that a test starts and kills when it is done, keeping its output for failure messages.</summary>
public sealed class BackgroundProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private BackgroundProcess(Process process) => _process = process;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    public int ExitCode => _process.ExitCode;

    /// <summary>The child's standard input; only when started with <c>redirectStandardInput</c>.</summary>
    public StreamWriter StandardInput => _process.StandardInput;

    /// <param name="environment">Variables set (or, with a null value, removed) in the child's environment, on top of this process's.</param>
    /// <param name="redirectStandardInput">Give the child a pipe as standard input, written through <see cref="StandardInput"/>.</param>
    public static BackgroundProcess Start(string program, IEnumerable<string> arguments, string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null, bool redirectStandardInput = false)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = redirectStandardInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var started = new BackgroundProcess(process);
        process.OutputDataReceived += (_, e) => started.Append(e.Data);
        process.ErrorDataReceived += (_, e) => started.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    /// <summary>A TCP port that was free a moment ago, for programs that must be told their port.</summary>
    public static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Waits until <paramref name="port"/> on the loopback accepts TCP, failing with the process output when it does not in time or the process ends.</summary>
    public async Task WaitForPortAsync(int port, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The process ended (exit {_process.ExitCode}) before listening on port {port}.\n{Output}");
            }

            // A listener whose backlog is full drops the SYN and the kernel retries for minutes; one attempt gets two seconds.
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(TimeSpan.FromSeconds(2));
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, attempt.Token).ConfigureAwait(false);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }
        }

        throw new TimeoutException($"Nothing listened on port {port} within {timeout}.\n{Output}");
    }

    /// <summary>Waits until the output has a line containing <paramref name="text"/> and returns that line; fails with the output when it does not come in time or the process ends.</summary>
    public async Task<string> WaitForOutputAsync(string text, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            var line = Output.Split('\n').FirstOrDefault(l => l.Contains(text, StringComparison.Ordinal));
            if (line is not null)
            {
                return line.TrimEnd('\r');
            }

            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The process ended (exit {_process.ExitCode}) before printing '{text}'.\n{Output}");
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException($"The process did not print '{text}' within {timeout}.\n{Output}");
    }

    /// <summary>Sends SIGTERM, as a service manager does to stop a process, and waits for it to exit.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var kill = await ExternalProcess.RunAsync("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], cancellationToken: cancellationToken).ConfigureAwait(false);
        if (kill.ExitCode != 0)
        {
            throw new InvalidOperationException($"kill -TERM failed: {kill}");
        }

        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout);
        try
        {
            await _process.WaitForExitAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"The process did not exit within {timeout} of SIGTERM.\n{Output}");
        }

        return _process.ExitCode;
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
