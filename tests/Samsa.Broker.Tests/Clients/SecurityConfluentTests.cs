using Confluent.Kafka;
using Samsa.Broker.Security;
using Samsa.Broker.Tests.Security;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Clients;

/// <summary>
/// Confluent.Kafka (librdkafka) over every security protocol, with real TLS and SASL: round trips,
/// and the errors a client sees for a bad password, an unknown mechanism or an untrusted, expired or
/// missing certificate, while the broker keeps serving good clients.
/// </summary>
public class SecurityConfluentTests(TestPki pki) : IClassFixture<TestPki>
{
    private const string Password = "alice-secret";
    private static readonly TimeSpan s_errorTimeout = TimeSpan.FromSeconds(15);

    private Task<EmbeddedBroker> StartAsync(BrokerSecurityProtocol protocol, params string[] mechanisms) =>
        EmbeddedBroker.StartAsync(o =>
        {
            o.SeedTopics["secured"] = 1;
            o.Security.Protocol = protocol;
            if (o.Security.UsesTls)
            {
                o.Security.ServerCertificate = pki.Server;
            }

            o.Security.SaslMechanisms.AddRange(mechanisms);
            o.Security.Users.Add("alice", Password);
        });

    private Action<ClientConfig> Client(SecurityProtocol protocol, SaslMechanism? mechanism = null, string password = Password, string? caPath = null) => c =>
    {
        c.SecurityProtocol = protocol;
        if (protocol is SecurityProtocol.Ssl or SecurityProtocol.SaslSsl)
        {
            c.SslCaLocation = caPath ?? pki.CaPath;
        }

        if (mechanism is { } m)
        {
            c.SaslMechanism = m;
            c.SaslUsername = "alice";
            c.SaslPassword = password;
        }
    };

    private static async Task<List<string>> RoundTripAsync(EmbeddedBroker broker, Action<ClientConfig> secure, int count = 10)
    {
        var values = Enumerable.Range(0, count).Select(i => $"secret-{i}").ToList();
        using (var producer = new ProducerBuilder<Null, string>(broker.ProducerConfig(c => secure(c))).Build())
        {
            foreach (var value in values)
            {
                producer.Produce("secured", new Message<Null, string> { Value = value });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        using var consumer = new ConsumerBuilder<Ignore, string>(broker.ConsumerConfig(configure: c => secure(c))).Build();
        consumer.Assign(new TopicPartitionOffset("secured", 0, Offset.Beginning));
        return consumer.ConsumeMany(count, TimeSpan.FromSeconds(30)).Select(r => r.Message.Value).ToList();
    }

    /// <summary>What librdkafka told the application: an error callback, or a log line (where it puts the detail of a disconnect).</summary>
    private sealed record ClientEvent(ErrorCode Code, string Text, bool IsLog)
    {
        public override string ToString() => IsLog ? "log: " + Text : $"{Code}: {Text}";
    }

    /// <summary>Starts a producer that has to connect, and returns the first error or log line from librdkafka that matches.</summary>
    private static async Task<ClientEvent> FirstEventAsync(EmbeddedBroker broker, Action<ClientConfig> secure, Func<ClientEvent, bool> match)
    {
        var seen = new List<ClientEvent>();
        var matched = new TaskCompletionSource<ClientEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Observe(ClientEvent e)
        {
            lock (seen)
            {
                if (seen.Count < 50)
                {
                    seen.Add(e);
                }
            }

            if (match(e))
            {
                matched.TrySetResult(e);
            }
        }

        using var producer = new ProducerBuilder<Null, string>(broker.ProducerConfig(c =>
            {
                secure(c);
                c.MessageTimeoutMs = 5_000;
            }))
            .SetErrorHandler((_, e) => Observe(new ClientEvent(e.Code, e.Reason, IsLog: false)))
            .SetLogHandler((_, m) => Observe(new ClientEvent(ErrorCode.NoError, m.Message, IsLog: true)))
            .Build();
        var pending = producer.ProduceAsync("secured", new Message<Null, string> { Value = "never" });
        try
        {
            var found = await matched.Task.WaitAsync(s_errorTimeout);
            TestContext.Current.TestOutputHelper?.WriteLine($"librdkafka reported {found}");
            return found;
        }
        catch (TimeoutException)
        {
            lock (seen)
            {
                Assert.Fail("Nothing matching from the client; saw: " + string.Join(" | ", seen));
            }

            throw;
        }
        finally
        {
            _ = pending.ContinueWith(t => t.Exception, TaskScheduler.Default);
        }
    }

    private static Task<ClientEvent> FirstErrorAsync(EmbeddedBroker broker, Action<ClientConfig> secure, ErrorCode code) =>
        FirstEventAsync(broker, secure, e => !e.IsLog && e.Code == code);

    [Fact]
    public async Task RoundTrip_Ssl_ReturnsEveryRecord()
    {
        await using var broker = await StartAsync(BrokerSecurityProtocol.Ssl);

        var values = await RoundTripAsync(broker, Client(SecurityProtocol.Ssl));

        Assert.Equal(10, values.Count);
    }

    [Theory]
    [InlineData(SaslMechanism.Plain)]
    [InlineData(SaslMechanism.ScramSha256)]
    [InlineData(SaslMechanism.ScramSha512)]
    public async Task RoundTrip_SaslPlaintext_ReturnsEveryRecord(SaslMechanism mechanism)
    {
        await using var broker = await StartAsync(BrokerSecurityProtocol.SaslPlaintext, SaslMechanismNames.Supported.ToArray());

        var values = await RoundTripAsync(broker, Client(SecurityProtocol.SaslPlaintext, mechanism));

        Assert.Equal(10, values.Count);
    }

    [Fact]
    public async Task RoundTrip_SaslSslScramSha512FromPemFiles_ReturnsEveryRecord()
    {
        // The production setting, configured the way `samsa broker start` does it.
        await using var broker = await EmbeddedBroker.StartAsync(o =>
        {
            o.NodeCount = 2;
            o.SeedTopics["secured"] = 1;
            o.Security.Protocol = BrokerSecurityProtocol.SaslSsl;
            o.Security.ServerCertificatePath = pki.ServerCertificatePath;
            o.Security.ServerKeyPath = pki.ServerKeyPath;
            o.Security.SaslMechanisms.Add(SaslMechanismNames.ScramSha512);
            o.Security.Users.Add("alice", Password);
        });

        var values = await RoundTripAsync(broker, Client(SecurityProtocol.SaslSsl, SaslMechanism.ScramSha512));

        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"secret-{i}"), values);
    }

    [Fact]
    public async Task SaslScramSha512_WrongPassword_ClientReportsAuthenticationErrorAndBrokerServesOthers()
    {
        await using var broker = await StartAsync(BrokerSecurityProtocol.SaslSsl, SaslMechanismNames.ScramSha512);

        var error = await FirstErrorAsync(broker, Client(SecurityProtocol.SaslSsl, SaslMechanism.ScramSha512, password: "wrong"), ErrorCode.Local_Authentication);
        var values = await RoundTripAsync(broker, Client(SecurityProtocol.SaslSsl, SaslMechanism.ScramSha512), count: 3);

        Assert.Contains("SASL authentication error", error.Text, StringComparison.Ordinal);
        Assert.Contains(SaslSession.FailureMessage(SaslMechanismNames.ScramSha512), error.Text, StringComparison.Ordinal);
        Assert.Equal(3, values.Count);
    }

    [Fact]
    public async Task SaslPlain_UnknownUser_ClientReportsAuthenticationError()
    {
        await using var broker = await StartAsync(BrokerSecurityProtocol.SaslPlaintext, SaslMechanismNames.Plain);

        var error = await FirstErrorAsync(
            broker,
            c =>
            {
                Client(SecurityProtocol.SaslPlaintext, SaslMechanism.Plain)(c);
                c.SaslUsername = "mallory";
            },
            ErrorCode.Local_Authentication);

        Assert.Contains("SASL authentication error", error.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaslHandshake_MechanismNotEnabled_ClientErrorNamesEnabledMechanisms()
    {
        await using var broker = await StartAsync(BrokerSecurityProtocol.SaslPlaintext, SaslMechanismNames.ScramSha512, SaslMechanismNames.ScramSha256);

        var error = await FirstErrorAsync(broker, Client(SecurityProtocol.SaslPlaintext, SaslMechanism.Plain), ErrorCode.Local_Authentication);

        Assert.Contains("SCRAM-SHA-512,SCRAM-SHA-256", error.Text, StringComparison.Ordinal);
        Assert.Contains("Unsupported SASL mechanism", error.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TlsHandshake_ClientDoesNotTrustCa_CertificateVerifyFailsAndBrokerServesOthers()
    {
        await using var broker = await StartAsync(BrokerSecurityProtocol.Ssl);

        var error = await FirstErrorAsync(broker, Client(SecurityProtocol.Ssl, caPath: pki.OtherCaPath), ErrorCode.Local_Ssl);
        var values = await RoundTripAsync(broker, Client(SecurityProtocol.Ssl), count: 3);

        Assert.Contains("certificate verify failed", error.Text, StringComparison.Ordinal);
        Assert.Equal(3, values.Count);
    }

    [Fact]
    public async Task TlsHandshake_ExpiredServerCertificate_CertificateVerifyFails()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o =>
        {
            o.Security.Protocol = BrokerSecurityProtocol.Ssl;
            o.Security.ServerCertificate = pki.ExpiredServer;
        });

        var error = await FirstErrorAsync(broker, Client(SecurityProtocol.Ssl), ErrorCode.Local_Ssl);

        Assert.Contains("certificate verify failed", error.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TlsListener_PlaintextClient_IsDisconnectedWithoutHanging()
    {
        await using var broker = await StartAsync(BrokerSecurityProtocol.Ssl);

        // The broker closes the connection when the first bytes are not a TLS handshake; librdkafka logs the disconnect.
        var disconnect = await FirstEventAsync(broker, Client(SecurityProtocol.Plaintext), e => e.IsLog && e.Text.Contains("Disconnected", StringComparison.Ordinal));
        var values = await RoundTripAsync(broker, Client(SecurityProtocol.Ssl), count: 3);

        Assert.Contains("APIVERSION_QUERY", disconnect.Text, StringComparison.Ordinal);
        Assert.Equal(3, values.Count);
    }

    [Fact]
    public async Task MutualTls_ClientCertificateRequired_ServesClientWithCertificateAndRejectsOneWithout()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o =>
        {
            o.SeedTopics["secured"] = 1;
            o.Security.Protocol = BrokerSecurityProtocol.Ssl;
            o.Security.ServerCertificate = pki.Server;
            o.Security.ClientAuthentication = TlsClientAuthentication.Required;
            o.Security.TrustedClientCertificateAuthorities.Add(pki.Ca);
        });

        // With TLS 1.3 the client sends its first request before the server has judged its (missing) certificate; then the server closes.
        var disconnect = await FirstEventAsync(broker, Client(SecurityProtocol.Ssl), e => e.IsLog && e.Text.Contains("Disconnected", StringComparison.Ordinal));
        var values = await RoundTripAsync(broker, c =>
        {
            Client(SecurityProtocol.Ssl)(c);
            c.SslCertificateLocation = pki.ClientCertificatePath;
            c.SslKeyLocation = pki.ClientKeyPath;
        }, count: 3);

        Assert.Matches("SSL connection closed by peer|SSL handshake failed", disconnect.Text);
        Assert.Equal(3, values.Count);
    }
}
