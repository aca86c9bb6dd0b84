using System.Net;
using System.Net.Sockets;
using Samsa.TestUtils;

namespace Samsa.Chaos.Tests.Support;

/// <summary>
/// <c>samsa broker start</c> in a child process, so that a test can kill it with SIGKILL (no
/// shutdown code runs, as in a crash) and start it again from the same data directory and ports.
/// </summary>
internal sealed class BrokerProcess : IDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly BackgroundProcess _process;

    private BrokerProcess(BackgroundProcess process, string bootstrapServers)
    {
        _process = process;
        BootstrapServers = bootstrapServers;
    }

    public string BootstrapServers { get; }

    public int ProcessId => _process.Id;

    public string Output => _process.Output;

    public static async Task<BrokerProcess> StartAsync(string dataDirectory, int nodes, int port, CancellationToken cancellationToken)
    {
        var process = StartDotNet("Samsa.Cli.dll", [
            "broker", "start",
            "--data-dir", dataDirectory, "--nodes", nodes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--default-replication-factor", nodes.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        try
        {
            var line = await process.WaitForOutputAsync("bootstrap.servers=", StartTimeout, cancellationToken);
            return new BrokerProcess(process, line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim());
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILL, then waits until the process is gone (its ports are free again).</summary>
    public void Kill() => _process.Dispose();

    public void Dispose() => _process.Dispose();

    /// <summary>
    /// Runs an assembly of this output directory with the test project's runtime config and deps
    /// (which bring the ASP.NET Core framework the EventService reference pulls in; the CLI's own
    /// deps file would look for package copies that this directory does not hold).
    /// </summary>
    public static BackgroundProcess StartDotNet(string assembly, IEnumerable<string> arguments, string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null, bool redirectStandardInput = false)
    {
        var self = Path.Combine(AppContext.BaseDirectory, typeof(BrokerProcess).Assembly.GetName().Name!);
        return BackgroundProcess.Start(
            DotNet,
            ["exec", "--runtimeconfig", self + ".runtimeconfig.json", "--depsfile", self + ".deps.json", Path.Combine(AppContext.BaseDirectory, assembly), .. arguments],
            workingDirectory,
            environment,
            redirectStandardInput);
    }

    public static string DotNetPath => DotNet;

    private static string DotNet =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : ExternalProcess.Find("dotnet") ?? throw new InvalidOperationException("dotnet is not on PATH.");

    /// <summary>A port P such that P .. P + count - 1 were all free a moment ago (node i listens on P + i).</summary>
    public static int FreePortRange(int count)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var first = Random.Shared.Next(20_000, 60_000);
            var listeners = new List<TcpListener>();
            try
            {
                for (var i = 0; i < count; i++)
                {
                    var listener = new TcpListener(IPAddress.Loopback, first + i);
                    listener.Start();
                    listeners.Add(listener);
                }

                return first;
            }
            catch (SocketException)
            {
            }
            finally
            {
                listeners.ForEach(l => l.Stop());
            }
        }

        throw new InvalidOperationException($"No {count} consecutive free ports found.");
    }
}
