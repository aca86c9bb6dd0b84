using System.Text.Json;
using Samsa.Broker.Security;
using Samsa.Broker.Tests.Security;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Clients;

/// <summary>kcat (librdkafka 2.0.2) over SASL_SSL with SCRAM-SHA-512, and kafka-python (SaslHandshake v0, bare tokens) over SASL_PLAINTEXT.</summary>
public class SecurityExternalClientTests(TestPki pki) : IClassFixture<TestPki>
{
    /// <summary>Debian's python3-kafka is installed for the system interpreter, which may not be the python3 first on PATH.</summary>
    private const string SystemPython = "/usr/bin/python3";

    private static string Kcat() =>
        ExternalProcess.Find("kcat") ?? throw new InvalidOperationException("kcat is not installed; scripts/install-test-deps.sh installs it.");

    private static Task<EmbeddedBroker> StartSaslAsync(BrokerSecurityProtocol protocol, Action<BrokerOptions>? configure = null) =>
        EmbeddedBroker.StartAsync(o =>
        {
            o.SeedTopics["secured"] = 1;
            o.Security.Protocol = protocol;
            o.Security.SaslMechanisms.AddRange(SaslMechanismNames.Supported);
            o.Security.Users.Add("alice", "alice-secret");
            configure?.Invoke(o);
        });

    [Fact]
    public async Task Kcat_SaslSslScramSha512_ProducesAndConsumes()
    {
        await using var broker = await StartSaslAsync(BrokerSecurityProtocol.SaslSsl, o =>
        {
            o.Security.ServerCertificatePath = pki.ServerCertificatePath;
            o.Security.ServerKeyPath = pki.ServerKeyPath;
        });
        string[] security =
        [
            "-b", broker.BootstrapServers, "-t", "secured",
            "-X", "security.protocol=SASL_SSL", "-X", "sasl.mechanisms=SCRAM-SHA-512",
            "-X", "sasl.username=alice", "-X", "sasl.password=alice-secret", "-X", $"ssl.ca.location={pki.CaPath}",
        ];
        var lines = Enumerable.Range(0, 20).Select(i => $"kcat-{i}").ToList();

        var produce = await ExternalProcess.RunAsync(Kcat(), [.. security, "-P", "-X", "acks=all"], string.Join('\n', lines) + "\n", TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var consume = await ExternalProcess.RunAsync(Kcat(), [.. security, "-C", "-o", "beginning", "-e"], timeout: TimeSpan.FromSeconds(30), cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(produce.ExitCode == 0, produce.ToString());
        Assert.True(consume.ExitCode == 0, consume.ToString());
        Assert.Equal(lines, consume.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Kcat_WrongPassword_FailsWithAuthenticationError()
    {
        await using var broker = await StartSaslAsync(BrokerSecurityProtocol.SaslPlaintext);

        var metadata = await ExternalProcess.RunAsync(
            Kcat(),
            ["-b", broker.BootstrapServers, "-L", "-m", "5", "-X", "security.protocol=SASL_PLAINTEXT", "-X", "sasl.mechanisms=SCRAM-SHA-512", "-X", "sasl.username=alice", "-X", "sasl.password=wrong"],
            timeout: TimeSpan.FromSeconds(30),
            cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(metadata.ExitCode != 0, metadata.ToString());
        Assert.Contains("SASL authentication error", metadata.StandardError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SCRAM-SHA-512")]
    [InlineData("PLAIN")]
    public async Task KafkaPython_SaslPlaintext_AuthenticatesProducesAndConsumes(string mechanism)
    {
        Assert.True(File.Exists(SystemPython), "/usr/bin/python3 is missing; scripts/install-test-deps.sh installs python3-kafka for it.");
        await using var broker = await StartSaslAsync(BrokerSecurityProtocol.SaslPlaintext);

        var run = await ExternalProcess.RunAsync(SystemPython, [Script(), broker.BootstrapServers, "secured", mechanism, "alice", "alice-secret", "10"], timeout: TimeSpan.FromSeconds(45), cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(run.ExitCode == 0, run.ToString());
        using var output = JsonDocument.Parse(run.StandardOutput.Trim().Split('\n')[^1]);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"v{i}"), output.RootElement.GetProperty("values").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public async Task KafkaPython_ScramWrongPassword_CannotConnect()
    {
        Assert.True(File.Exists(SystemPython), "/usr/bin/python3 is missing; scripts/install-test-deps.sh installs python3-kafka for it.");
        await using var broker = await StartSaslAsync(BrokerSecurityProtocol.SaslPlaintext);

        var run = await ExternalProcess.RunAsync(SystemPython, [Script(), broker.BootstrapServers, "secured", "SCRAM-SHA-512", "alice", "wrong", "1"], timeout: TimeSpan.FromSeconds(45), cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Contains("NoBrokersAvailable", run.StandardOutput, StringComparison.Ordinal);
    }

    private static string Script() => Path.Combine(AppContext.BaseDirectory, "Clients", "python", "security_sasl_roundtrip.py");
}
