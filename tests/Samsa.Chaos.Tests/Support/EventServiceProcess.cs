using Samsa.TestUtils;

namespace Samsa.Chaos.Tests.Support;

/// <summary>
/// The built Samsa.EventService in a child process (<c>dotnet exec Samsa.EventService.dll</c>), configured through
/// environment variables as a deployment would be, on an ephemeral loopback port, so that a test can kill it with
/// SIGKILL (no shutdown code, no flush of the producer) and start another.
/// </summary>
internal sealed class EventServiceProcess : IDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    // Logged by the host (Microsoft.Hosting.Lifetime) once Kestrel listens, which is after the Kafka start-up gate has passed.
    private const string ListeningText = "Now listening on: ";

    private readonly BackgroundProcess _process;

    private EventServiceProcess(BackgroundProcess process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public string Output => _process.Output;

    /// <param name="settings">Environment variables on top of the defaults here (Development, port 0, quiet logging).</param>
    public static async Task<EventServiceProcess> StartAsync(IReadOnlyDictionary<string, string?> settings, CancellationToken cancellationToken)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            // Development: no API key for the operations endpoints and the development profile; the bootstrap servers come from the caller.
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DOTNET_ENVIRONMENT"] = null,
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
        };
        foreach (var (name, value) in settings)
        {
            environment[name] = value;
        }

        var process = BrokerProcess.StartDotNet("Samsa.EventService.dll", [], AppContext.BaseDirectory, environment);
        try
        {
            var line = await process.WaitForOutputAsync(ListeningText, StartTimeout, cancellationToken);
            var address = line[(line.IndexOf(ListeningText, StringComparison.Ordinal) + ListeningText.Length)..].Trim();
            return new EventServiceProcess(process, new Uri(address));
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
