using System.Diagnostics;

namespace Samsa.Benchmarks.Utils;

/// <summary>
/// A broker in its own process so its CPU and memory can be measured apart from the client's:
/// Samsa.Broker through the samsa CLI, or librdkafka's mock cluster hosted by this benchmark
/// executable in "mock-host" mode.
/// </summary>
internal sealed class BrokerProcess : IDisposable
{
    private readonly Process _process;

    private BrokerProcess(Process process, string bootstrap)
    {
        _process = process;
        BootstrapServers = bootstrap;
    }

    public string BootstrapServers { get; }

    public int Pid => _process.Id;

    public static BrokerProcess StartSamsa(string samsaPath, string? dataDirectory)
    {
        var arguments = new List<string> { "broker", "start", "--port", "0" };
        if (dataDirectory is not null)
        {
            arguments.AddRange(["--data-dir", dataDirectory]);
        }

        return Start(samsaPath, arguments, "bootstrap.servers=");
    }

    public static BrokerProcess StartMock()
    {
        var self = Environment.ProcessPath!;
        var arguments = new List<string>();
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            arguments.Add(typeof(BrokerProcess).Assembly.Location);
        }

        arguments.Add("mock-host");
        return Start(self, arguments, "bootstrap.servers=");
    }

    private static BrokerProcess Start(string program, IEnumerable<string> arguments, string marker)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.ErrorDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            var line = process.StandardOutput.ReadLine();
            if (line is null)
            {
                break;
            }

            if (line.StartsWith(marker, StringComparison.Ordinal))
            {
                // Keep draining output so the child never blocks on a full pipe.
                _ = Task.Run(() => process.StandardOutput.ReadToEnd());
                return new BrokerProcess(process, line[marker.Length..].Trim());
            }
        }

        process.Kill(entireProcessTree: true);
        throw new InvalidOperationException($"{program} did not print its bootstrap address.");
    }

    public TimeSpan CpuTime => ProcessStats.CpuTime(_process.Id);

    public long ResidentBytes => ProcessStats.ResidentBytes(_process.Id);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }

        _process.Dispose();
    }
}
