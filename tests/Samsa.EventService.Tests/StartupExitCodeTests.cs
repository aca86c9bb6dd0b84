using System.Text.RegularExpressions;
using Samsa.TestUtils;

namespace Samsa.EventService.Tests;

/// <summary>
/// The service as an operator runs it (its own process, through Program.cs): a start-up that fails logs why once and
/// exits with the documented code (SamsaExitCodes), with no unhandled-exception dump.
/// </summary>
public sealed partial class StartupExitCodeTests
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Start_InvalidSettings_LogsTheProblemOnce_AndExitsTwo()
    {
        var run = await RunServiceAsync(new() { ["ASPNETCORE_ENVIRONMENT"] = "Production" });

        Assert.True(run.ExitCode == SamsaExitCodes.InvalidSettings, run.ToString());
        var output = run.StandardOutput + run.StandardError;
        Assert.Equal(1, Count(output, "`Kafka:BootstrapServers` (`KAFKA_BOOTSTRAP_SERVERS`) is required"));
        Assert.Equal(1, Count(output, "The host did not start: its settings are invalid; exiting with code 2"));
        AssertNoCrashDump(output);
    }

    [Fact]
    public async Task Start_BrokerUnreachable_LogsTheFailedCheckOnce_AndExitsThree()
    {
        var address = $"127.0.0.1:{BackgroundProcess.FreeTcpPort()}";

        var run = await RunServiceAsync(new() { ["ASPNETCORE_ENVIRONMENT"] = "Development", ["KAFKA_BOOTSTRAP_SERVERS"] = address });

        Assert.True(run.ExitCode == SamsaExitCodes.StartupCheckFailed, run.ToString());
        var output = run.StandardOutput + run.StandardError;
        Assert.Equal(1, Count(output, $"TCP connect to broker `{address}` was refused"));
        Assert.Equal(1, Count(output, "The host did not start: a Kafka start-up check failed; exiting with code 3"));
        AssertNoCrashDump(output);
    }

    [Fact]
    public async Task Start_FailureAtDebugLevel_AddsTheStackTraceOnce()
    {
        // One invalid setting (no bootstrap servers): an operations key is given so that its absence is not a second one.
        var run = await RunServiceAsync(new()
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Samsa"] = "Debug",
            ["Operations__ApiKeys__ops__Key"] = "ops-key-0123456789abcdef",
            ["Operations__ApiKeys__ops__Scopes__0"] = "read",
        });

        Assert.True(run.ExitCode == SamsaExitCodes.InvalidSettings, run.ToString());
        var output = run.StandardOutput + run.StandardError;
        Assert.Equal(1, Count(output, "Start-up failure detail"));
        Assert.Contains("at Microsoft.Extensions.Options.StartupValidator.Validate()", output, StringComparison.Ordinal);
        Assert.Equal(1, Count(output, "Microsoft.Extensions.Options.OptionsValidationException:"));
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ProductionWithoutOperationsKey_RefusesToExposeTheConsole_AndExitsTwo()
    {
        var run = await RunServiceAsync(new()
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["KAFKA_BOOTSTRAP_SERVERS"] = $"127.0.0.1:{BackgroundProcess.FreeTcpPort()}",
            ["Kafka__AllowPlaintextInProduction"] = "true",
        });

        Assert.True(run.ExitCode == SamsaExitCodes.InvalidSettings, run.ToString());
        var output = run.StandardOutput + run.StandardError;
        Assert.Equal(1, Count(output, "No operations credential is configured in the 'Production' environment"));
        Assert.Equal(1, Count(output, "The host did not start: its settings are invalid; exiting with code 2"));
        AssertNoCrashDump(output);
    }

    private static void AssertNoCrashDump(string output)
    {
        Assert.DoesNotContain("Unhandled exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Hosting failed to start", output, StringComparison.Ordinal);
        Assert.False(StackFrame().IsMatch(output), output);
    }

    private static int Count(string text, string value) => Regex.Count(text, Regex.Escape(value));

    private static async Task<ExternalProcess.Result> RunServiceAsync(Dictionary<string, string?> environment)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : ExternalProcess.Find("dotnet") ?? throw new InvalidOperationException("dotnet is not on PATH.");
        var service = Path.Combine(AppContext.BaseDirectory, "Samsa.EventService.dll");
        environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        environment["DOTNET_ENVIRONMENT"] = null;
        environment["Logging__Console__FormatterName"] = "simple";
        foreach (var inherited in Environment.GetEnvironmentVariables().Keys.OfType<string>().Where(k => k.StartsWith("KAFKA_", StringComparison.Ordinal)))
        {
            environment.TryAdd(inherited, null);
        }

        return await ExternalProcess.RunAsync(
            dotnet, [service], environment, AppContext.BaseDirectory, timeout: RunTimeout, cancellationToken: TestContext.Current.CancellationToken);
    }

    [GeneratedRegex(@"^\s+at \S+", RegexOptions.Multiline)]
    private static partial Regex StackFrame();
}
