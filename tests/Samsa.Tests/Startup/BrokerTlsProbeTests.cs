using System.Net;
using System.Net.Sockets;
using Confluent.Kafka;
using Samsa.Configuration;
using Samsa.Startup;
using Samsa.Tests.DependencyInjection;
using Samsa.TestUtils;

namespace Samsa.Tests.Startup;

/// <summary>The TLS check against a plain TLS server started in the test, with certificates made in the test.</summary>
public sealed class BrokerTlsProbeTests : IDisposable
{
    private const int Bound = 30_000;
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    private readonly TestCertificateAuthority _ca = new();
    private readonly DateTimeOffset _now = TimeProvider.System.GetUtcNow();

    public void Dispose() => _ca.Dispose();

    [Fact(Timeout = Bound)]
    public async Task StartAsync_CertificateFromUntrustedCa_FailsNamingCaSetting()
    {
        using var otherCa = new TestCertificateAuthority("Some Other CA");
        using var certificate = otherCa.Issue(_now - Day, _now + (365 * Day));
        await using var server = new TlsTestServer(certificate);

        var error = await StartFailsAsync(server.Port);

        Assert.Equal(KafkaStartupCheck.TlsHandshake, error.Check);
        Assert.Equal($"127.0.0.1:{server.Port}", error.Broker);
        Assert.Contains($"TLS handshake with broker `127.0.0.1:{server.Port}`: its certificate `CN=samsa-broker` (issued by `CN=Some Other CA`)", error.Message, StringComparison.Ordinal);
        Assert.Contains("is not signed by a CA this client trusts", error.Message, StringComparison.Ordinal);
        Assert.Contains($"`Kafka:SslCaLocation` (`KAFKA_SSL_CA_LOCATION`), currently `{_ca.PemPath}`", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = Bound)]
    public async Task StartAsync_CertificateForAnotherHost_FailsNamingHostAndCertificateNames()
    {
        using var certificate = _ca.Issue(_now - Day, _now + (365 * Day), ["kafka.internal.example"], []);
        await using var server = new TlsTestServer(certificate);

        var error = await StartFailsAsync(server.Port);

        Assert.Equal(KafkaStartupCheck.TlsHandshake, error.Check);
        Assert.Contains("is not for host `127.0.0.1` (it names DNS:kafka.internal.example)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not signed", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = Bound)]
    public async Task StartAsync_ExpiredCertificate_FailsWithExpiryDate()
    {
        using var certificate = _ca.Issue(_now - (30 * Day), _now - Day);
        await using var server = new TlsTestServer(certificate);

        var error = await StartFailsAsync(server.Port);

        Assert.Equal(KafkaStartupCheck.TlsHandshake, error.Check);
        Assert.Contains($"expired on {BrokerTlsProbe.Show(new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero))}", error.Message, StringComparison.Ordinal);
        Assert.Contains("renew the broker's certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = Bound)]
    public async Task StartAsync_SslToPortThatNeverAnswers_FailsAtTlsWithinBrokerTimeout()
    {
        await using var silent = new SilentListener();
        var port = int.Parse(silent.Address.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);

        var error = await StartFailsAsync(port, s => s.BrokerConnectTimeout = TimeSpan.FromSeconds(1));

        Assert.Equal(KafkaStartupCheck.TlsHandshake, error.Check);
        Assert.Contains("does not answer TLS", error.Message, StringComparison.Ordinal);
        Assert.Contains("within 1 s (`Kafka:Hosting:BrokerConnectTimeout`)", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = Bound)]
    public async Task HandshakeAsync_ValidCertificate_PassesWithoutWarning()
    {
        using var certificate = _ca.Issue(_now - Day, _now + (365 * Day));
        await using var server = new TlsTestServer(certificate);

        var result = await HandshakeAsync(server.Port, TimeSpan.FromDays(30));

        Assert.False(result.ExpiresSoon);
        Assert.Equal("CN=samsa-broker", result.Subject);
    }

    [Fact(Timeout = Bound)]
    public async Task HandshakeAsync_CertificateExpiringWithinWindow_PassesWithWarning()
    {
        using var certificate = _ca.Issue(_now - Day, _now + (5 * Day));
        await using var server = new TlsTestServer(certificate);

        var result = await HandshakeAsync(server.Port, TimeSpan.FromDays(30));

        Assert.True(result.ExpiresSoon);
        Assert.Equal(certificate.NotAfter.ToUniversalTime(), result.NotAfter.UtcDateTime, TimeSpan.FromSeconds(1));
    }

    [Fact(Timeout = Bound)]
    public async Task StartAsync_CertificateExpiringWithinWindow_LogsWarningAndPassesTlsCheck()
    {
        using var certificate = _ca.Issue(_now - Day, _now + (5 * Day));
        await using var server = new TlsTestServer(certificate);
        using var host = Host(server.Port, s => (s.StartupTimeout, s.BrokerConnectTimeout) = (TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));

        // The TLS server is not Kafka, so the metadata check after TLS fails; TLS itself passed with a warning.
        var error = await Assert.ThrowsAsync<KafkaStartupException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.NotEqual(KafkaStartupCheck.TlsHandshake, error.Check);
        Assert.Contains(host.Logs(), log => log.Level == Microsoft.Extensions.Logging.LogLevel.Warning
            && log.Message.Contains($"broker 127.0.0.1:{server.Port} (CN=samsa-broker) expires on", StringComparison.Ordinal)
            && log.Message.Contains("in 4 day(s)", StringComparison.Ordinal));
        Assert.Contains(host.Logs(), log => log.Message.StartsWith("Kafka start-up check TLS handshake passed", StringComparison.Ordinal));
    }

    private async Task<KafkaStartupException> StartFailsAsync(int port, Action<Samsa.DependencyInjection.SamsaKafkaSettings>? settings = null)
    {
        using var host = Host(port, settings);
        return await Assert.ThrowsAsync<KafkaStartupException>(() => host.StartAsync(TestContext.Current.CancellationToken));
    }

    private Microsoft.Extensions.Hosting.IHost Host(int port, Action<Samsa.DependencyInjection.SamsaKafkaSettings>? settings = null) =>
        SamsaTestHost.Build(
            $"127.0.0.1:{port}",
            settings: settings,
            configuration: [("Kafka:SecurityProtocol", "SSL"), ("Kafka:SslCaLocation", _ca.PemPath)]);

    private async Task<TlsProbeResult> HandshakeAsync(int port, TimeSpan warningWindow)
    {
        var options = KafkaConfigurationBinder.Load(null, null, o =>
        {
            o.BootstrapServers = [$"127.0.0.1:{port}"];
            o.SecurityProtocol = SecurityProtocol.Ssl;
            o.SslCaLocation = _ca.PemPath;
        }, "Development");
        var config = KafkaClientConfigFactory.CreateAdminClientConfig(options);
        using var trust = TlsTrust.From(config);
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), TestContext.Current.CancellationToken);
        Assert.True(BrokerAddress.TryParse($"127.0.0.1:{port}", out var broker, out _));
        return await BrokerTlsProbe.HandshakeAsync(
            socket, broker, trust, new StartupHints(options, config), warningWindow, TimeSpan.FromSeconds(5), TimeProvider.System, TestContext.Current.CancellationToken);
    }
}
