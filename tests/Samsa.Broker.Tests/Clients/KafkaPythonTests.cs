using System.Text.Json;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Clients;

/// <summary>kafka-python (pure Python, sends old request versions such as Metadata v0-2) against Samsa.Broker.</summary>
public class KafkaPythonTests
{
    /// <summary>Debian's python3-kafka is installed for the system interpreter, which may not be the python3 first on PATH.</summary>
    private const string SystemPython = "/usr/bin/python3";

    [Theory]
    [InlineData("none")]
    [InlineData("gzip")]
    public async Task KafkaPython_CreateProduceConsume_SeesEveryRecord(string codec)
    {
        Assert.True(File.Exists(SystemPython), "/usr/bin/python3 is missing; scripts/install-test-deps.sh installs python3-kafka for it.");
        await using var broker = await EmbeddedBroker.StartAsync();
        var script = Path.Combine(AppContext.BaseDirectory, "Clients", "python", "produce_consume_admin.py");

        var run = await ExternalProcess.RunAsync(SystemPython, [script, broker.BootstrapServers, "py-" + codec, codec, "40"], cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(run.ExitCode == 0, run.ToString());
        using var output = JsonDocument.Parse(run.StandardOutput.Trim().Split('\n')[^1]);
        var root = output.RootElement;
        Assert.Contains("py-" + codec, root.GetProperty("topics").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(
            Enumerable.Range(0, 40).Select(i => $"v{i}").Order(StringComparer.Ordinal),
            root.GetProperty("values").EnumerateArray().Select(v => v.GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal([20L, 20L], root.GetProperty("end_offsets").EnumerateArray().Select(e => e.GetInt64()));
    }
}
