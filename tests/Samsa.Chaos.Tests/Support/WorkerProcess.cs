using Samsa.TestUtils;

namespace Samsa.Chaos.Tests.Support;

/// <summary>
/// The fault suite's consumer (tests/Samsa.Chaos.Worker: a Samsa consumer whose handler logs and forwards each record)
/// in a child process, configured through environment variables, so that a test can kill it with SIGKILL.
/// </summary>
internal sealed class WorkerProcess : IDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    // Printed by the worker once its host has started (the Kafka start-up gate passed, the consumer running).
    private const string StartedText = "chaos worker started";

    private readonly BackgroundProcess _process;

    private WorkerProcess(BackgroundProcess process) => _process = process;

    public string Output => _process.Output;

    public bool HasExited => _process.HasExited;

    /// <param name="settings">Environment variables on top of the defaults here (Development, quiet logging).</param>
    /// <param name="workingDirectory">The content root: a directory without appsettings files, so that only <paramref name="settings"/> configure it.</param>
    public static async Task<WorkerProcess> StartAsync(IReadOnlyDictionary<string, string?> settings, string workingDirectory, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_ENVIRONMENT"] = null,
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Samsa"] = "Information",
        };
        foreach (var (name, value) in settings)
        {
            environment[name] = value;
        }

        var process = BrokerProcess.StartDotNet("Samsa.Chaos.Worker.dll", [], workingDirectory, environment);
        try
        {
            await process.WaitForOutputAsync(StartedText, StartTimeout, cancellationToken);
            return new WorkerProcess(process);
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>SIGKILL, then waits until the process is gone.</summary>
    public void Kill() => _process.Dispose();

    public void Dispose() => _process.Dispose();
}
