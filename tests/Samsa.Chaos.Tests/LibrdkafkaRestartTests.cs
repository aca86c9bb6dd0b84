using Samsa.Chaos.Tests.Support;
using Samsa.TestUtils;

namespace Samsa.Chaos.Tests;

/// <summary>
/// Issue 10 as reported, with the reporter's client: Debian's librdkafka 2.0.2 (python3-confluent-kafka,
/// installed by scripts/install-test-deps.sh) producing with acks=all, idempotence off, retries 0 and
/// 5 requests in flight while the broker process is killed with SIGKILL and restarted, under a CPU hog.
/// Before the startup gate this client logged "partition count changed from 3 to 0" after every restart.
/// </summary>
public sealed class LibrdkafkaRestartTests : IDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly DirectoryInfo _dataDirectory = Directory.CreateTempSubdirectory("samsa-chaos-rdkafka-");

    public void Dispose() => _dataDirectory.Delete(recursive: true);

    [Fact]
    public async Task BrokerKill_Librdkafka202Producer_NeverSeesTopicUnknownAndKeepsOrder()
    {
        var nodes = 3;
        var check = await ExternalProcess.RunAsync(Python, ["-c", "import confluent_kafka"], timeout: TimeSpan.FromSeconds(30));
        Assert.True(check.ExitCode == 0, "python3-confluent-kafka is missing: run scripts/install-test-deps.sh.\n" + check);

        var self = Path.Combine(AppContext.BaseDirectory, typeof(LibrdkafkaRestartTests).Assembly.GetName().Name!);
        var brokerCommand = string.Join('\x1f', BrokerProcess.DotNetPath, "exec", "--runtimeconfig", self + ".runtimeconfig.json", "--depsfile", self + ".deps.json", Path.Combine(AppContext.BaseDirectory, "Samsa.Cli.dll"));
        var rounds = ChaosMode.Size(2, 30);
        var port = BrokerProcess.FreePortRange(nodes);
        Environment.SetEnvironmentVariable("BROKER_CMD", brokerCommand);
        var run = await ExternalProcess.RunAsync(
            Python,
            [Path.Combine(AppContext.BaseDirectory, "Clients", "librdkafka_restart.py"), nodes.ToString(System.Globalization.CultureInfo.InvariantCulture), rounds.ToString(System.Globalization.CultureInfo.InvariantCulture), port.ToString(System.Globalization.CultureInfo.InvariantCulture), _dataDirectory.FullName],
            timeout: TimeSpan.FromMinutes(ChaosMode.Size(3, 60)));

        var summary = run.StandardOutput.Split('\n').FirstOrDefault(l => l.StartsWith("librdkafka", StringComparison.Ordinal)) ?? "";
        TestContext.Current.TestOutputHelper?.WriteLine(summary);
        Assert.True(run.ExitCode == 0, run.StandardOutput + "\n" + string.Join('\n', run.StandardError.Split('\n').Where(l => !l.StartsWith('%')).TakeLast(30)));
    }
}
