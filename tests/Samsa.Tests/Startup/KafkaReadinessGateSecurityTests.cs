using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Samsa.Broker.Security;
using Samsa.Startup;
using Samsa.Tests.DependencyInjection;
using Samsa.TestUtils;

namespace Samsa.Tests.Startup;

/// <summary>The gate against the embedded broker's TLS and SCRAM listeners (<c>BrokerOptions.Security</c>).</summary>
public sealed class KafkaReadinessGateSecurityTests : IDisposable
{
    private const int Bound = 30_000;
    private const string Password = "alice-secret";
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    private readonly TestCertificateAuthority _ca = new();
    private readonly System.Security.Cryptography.X509Certificates.X509Certificate2 _server;

    public KafkaReadinessGateSecurityTests()
    {
        var now = TimeProvider.System.GetUtcNow();
        _server = _ca.Issue(now - Day, now + (365 * Day));
    }

    public void Dispose()
    {
        _server.Dispose();
        _ca.Dispose();
    }

    [Fact(Timeout = Bound)]
    public async Task StartAsync_SaslSslWithRightPassword_PassesEveryCheck()
    {
        await using var broker = await StartBrokerAsync(BrokerSecurityProtocol.SaslSsl);
        using var host = Host(broker, "SASL_SSL", Password, _ca.PemPath, samsa => samsa.AddTopic("orders"));

        await host.StartAsync(TestContext.Current.CancellationToken);

        var passed = host.Logs().Where(l => l.Level == LogLevel.Information).Select(l => l.Message).ToList();
        Assert.Contains(passed, m => m.StartsWith("Kafka start-up check TLS handshake passed", StringComparison.Ordinal));
        Assert.Contains(passed, m => m.StartsWith("Kafka start-up check authentication passed", StringComparison.Ordinal) && m.Contains("SCRAM-SHA-512 login as `alice` accepted", StringComparison.Ordinal));
        Assert.Contains(passed, m => m.StartsWith("Kafka start-up check topic provisioning passed", StringComparison.Ordinal));
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact(Timeout = Bound)]
    public async Task StartAsync_WrongSaslPassword_FailsAtAuthenticationNamingTheSettings()
    {
        await using var broker = await StartBrokerAsync(BrokerSecurityProtocol.SaslPlaintext);
        using var host = Host(broker, "SASL_PLAINTEXT", "not-the-password");
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<KafkaStartupException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Equal(KafkaStartupCheck.Authentication, error.Check);
        Assert.Contains("the SCRAM-SHA-512 login as `alice` to the cluster (bootstrap", error.Message, StringComparison.Ordinal);
        Assert.Contains("was refused", error.Message, StringComparison.Ordinal);
        Assert.Contains("`Kafka:SaslPassword` (`KAFKA_SASL_PASSWORD`)", error.Message, StringComparison.Ordinal);
        Assert.Contains("`Kafka:SaslUsername` (`KAFKA_SASL_USERNAME`) (currently `alice`)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsTransient);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}: a refused login should not wait for the start-up timeout");
    }

    [Fact(Timeout = Bound)]
    public async Task StartAsync_BrokerCertificateFromUntrustedCa_FailsAtTls()
    {
        using var otherCa = new TestCertificateAuthority("Unrelated CA");
        await using var broker = await StartBrokerAsync(BrokerSecurityProtocol.SaslSsl);
        using var host = Host(broker, "SASL_SSL", Password, otherCa.PemPath);

        var error = await Assert.ThrowsAsync<KafkaStartupException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Equal(KafkaStartupCheck.TlsHandshake, error.Check);
        Assert.Equal(broker.BootstrapServers, error.Broker);
        Assert.Contains("(issued by `CN=Samsa Test CA`) is not signed by a CA this client trusts", error.Message, StringComparison.Ordinal);
        Assert.Contains($"currently `{otherCa.PemPath}`", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = Bound)]
    public async Task StartAsync_PlaintextClientAgainstTlsListener_FailsPointingAtSecurityProtocol()
    {
        await using var broker = await StartBrokerAsync(BrokerSecurityProtocol.Ssl);
        using var host = SamsaTestHost.Build(broker.BootstrapServers, settings: s => (s.StartupTimeout, s.BrokerConnectTimeout) = (TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1)));

        var error = await Assert.ThrowsAsync<KafkaStartupException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Equal(KafkaStartupCheck.ClusterMetadata, error.Check);
        Assert.Contains("`Kafka:SecurityProtocol` (`KAFKA_SECURITY_PROTOCOL`), currently PLAINTEXT", error.Message, StringComparison.Ordinal);
        Assert.Contains("a TLS listener needs SSL or SASL_SSL", error.Message, StringComparison.Ordinal);
    }

    private Task<EmbeddedBroker> StartBrokerAsync(BrokerSecurityProtocol protocol) =>
        EmbeddedBroker.StartAsync(o =>
        {
            o.Security.Protocol = protocol;
            if (o.Security.UsesTls)
            {
                o.Security.ServerCertificate = _server;
            }

            if (o.Security.UsesSasl)
            {
                o.Security.SaslMechanisms.Add(SaslMechanismNames.ScramSha512);
                o.Security.Users.Add("alice", Password);
            }
        });

    private static IHost Host(EmbeddedBroker broker, string protocol, string password, string? caPath = null, Action<Samsa.DependencyInjection.SamsaKafkaBuilder>? features = null) =>
        SamsaTestHost.Build(
            broker.BootstrapServers,
            features,
            configuration:
            [
                ("Kafka:SecurityProtocol", protocol),
                ("Kafka:SaslMechanism", "SCRAM-SHA-512"),
                ("Kafka:SaslUsername", "alice"),
                ("Kafka:SaslPassword", password),
                ("Kafka:SslCaLocation", caPath),
            ]);
}
