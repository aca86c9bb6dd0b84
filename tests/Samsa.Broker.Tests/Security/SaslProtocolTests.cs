using System.Text;
using Samsa.Broker.Security;
using Samsa.Protocol;
using Samsa.Protocol.Messages;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Security;

/// <summary>SASL on the wire, byte for byte as Kafka frames it: the order of requests, v0 bare tokens, v1 SaslAuthenticate, failures and the close that follows.</summary>
public class SaslProtocolTests
{
    private static Task<EmbeddedBroker> StartSaslBrokerAsync(params string[] mechanisms) =>
        EmbeddedBroker.StartAsync(o =>
        {
            o.SeedTopics["secured"] = 1;
            o.Security.Protocol = BrokerSecurityProtocol.SaslPlaintext;
            o.Security.SaslMechanisms.AddRange(mechanisms.Length == 0 ? SaslMechanismNames.Supported : mechanisms);
            o.Security.Users.Add("alice", "alice-secret");
        });

    private static MetadataRequest AllTopics() => new() { Topics = null };

    [Fact]
    public async Task SaslAuthenticate_ScramSha256AfterHandshakeV1_AuthenticatesThenServesEverything()
    {
        await using var broker = await StartSaslBrokerAsync();
        await using var client = await SecurityWireClient.ConnectAsync(broker.BootstrapServers);
        var scram = new ScramTestClient(SaslMechanismNames.ScramSha256, "alice", "alice-secret");

        var versions = await client.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest { ClientSoftwareName = "wire", ClientSoftwareVersion = "1" }, 3);
        var handshake = await client.SendAsync<SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = SaslMechanismNames.ScramSha256 }, 1);
        var first = await client.SendAsync<SaslAuthenticateResponse>(new SaslAuthenticateRequest { AuthBytes = scram.ClientFirst() }, 2);
        var final = await client.SendAsync<SaslAuthenticateResponse>(new SaslAuthenticateRequest { AuthBytes = scram.ClientFinal(first.AuthBytes) }, 2);
        var metadata = await client.SendAsync<MetadataResponse>(AllTopics(), 12);

        Assert.Equal(0, versions.ErrorCode);
        Assert.Equal(0, handshake.ErrorCode);
        Assert.Equal(SaslMechanismNames.Supported, handshake.Mechanisms);
        Assert.Equal(0, first.ErrorCode);
        Assert.Equal(0, final.ErrorCode);
        Assert.Equal(0, final.SessionLifetimeMs);
        Assert.True(scram.VerifyServerFinal(final.AuthBytes));
        Assert.Contains(metadata.Topics, t => t.Name == "secured");
    }

    [Fact]
    public async Task SaslHandshakeAndAuthenticate_AfterAuthentication_AnswerIllegalSaslStateAndKeepConnection()
    {
        await using var broker = await StartSaslBrokerAsync();
        await using var client = await SecurityWireClient.ConnectAsync(broker.BootstrapServers);
        await client.SendAsync<SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = SaslMechanismNames.Plain }, 1);
        await client.SendAsync<SaslAuthenticateResponse>(new SaslAuthenticateRequest { AuthBytes = Encoding.UTF8.GetBytes("\0alice\0alice-secret") }, 1);

        var handshake = await client.SendAsync<SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = SaslMechanismNames.Plain }, 1);
        var authenticate = await client.SendAsync<SaslAuthenticateResponse>(new SaslAuthenticateRequest { AuthBytes = [] }, 2);
        var metadata = await client.SendAsync<MetadataResponse>(AllTopics(), 1);

        Assert.Equal((short)ErrorCode.IllegalSaslState, handshake.ErrorCode);
        Assert.Equal((short)ErrorCode.IllegalSaslState, authenticate.ErrorCode);
        Assert.Contains(metadata.Topics, t => t.Name == "secured");
    }

    [Fact]
    public async Task SaslHandshake_V0ThenBarePlainToken_AnswersZeroSizeThenServesRequests()
    {
        await using var broker = await StartSaslBrokerAsync();
        await using var client = await SecurityWireClient.ConnectAsync(broker.BootstrapServers);

        var handshake = await client.SendAsync<SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = SaslMechanismNames.Plain }, 0);
        await client.SendTokenAsync(Encoding.UTF8.GetBytes("\0alice\0alice-secret"));
        var answer = await client.ReceiveFrameAsync();
        var metadata = await client.SendAsync<MetadataResponse>(AllTopics(), 1);

        Assert.Equal(0, handshake.ErrorCode);
        Assert.Empty(answer);
        Assert.Contains(metadata.Topics, t => t.Name == "secured");
    }

    [Fact]
    public async Task SaslHandshake_V0ThenBareScramSha512Tokens_Authenticates()
    {
        await using var broker = await StartSaslBrokerAsync(SaslMechanismNames.ScramSha512);
        await using var client = await SecurityWireClient.ConnectAsync(broker.BootstrapServers);
        var scram = new ScramTestClient(SaslMechanismNames.ScramSha512, "alice", "alice-secret");

        await client.SendAsync<SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = SaslMechanismNames.ScramSha512 }, 0);
        await client.SendTokenAsync(scram.ClientFirst());
        var serverFirst = await client.ReceiveFrameAsync();
        await client.SendTokenAsync(scram.ClientFinal(serverFirst));
        var serverFinal = await client.ReceiveFrameAsync();
        var versions = await client.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 0);

        Assert.True(scram.VerifyServerFinal(serverFinal));
        Assert.Equal(0, versions.ErrorCode);
    }

    [Fact]
    public async Task SaslHandshake_V0WrongPassword_ClosesWithoutAnswer()
    {
        await using var broker = await StartSaslBrokerAsync();
        await using var client = await SecurityWireClient.ConnectAsync(broker.BootstrapServers);

        await client.SendAsync<SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = SaslMechanismNames.Plain }, 0);
        await client.SendTokenAsync(Encoding.UTF8.GetBytes("\0alice\0wrong"));

        Assert.True(await client.IsClosedByBrokerAsync());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public async Task SaslAuthenticate_WrongPassword_AnswersAuthenticationFailedThenCloses(short version)
    {
        await using var broker = await StartSaslBrokerAsync();
        await using var client = await SecurityWireClient.ConnectAsync(broker.BootstrapServers);
        var scram = new ScramTestClient(SaslMechanismNames.ScramSha512, "alice", "not-her-password");
        await client.SendAsync<SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = SaslMechanismNames.ScramSha512 }, 1);
        var first = await client.SendAsync<SaslAuthenticateResponse>(new SaslAuthenticateRequest { AuthBytes = scram.ClientFirst() }, version);

        var final = await client.SendAsync<SaslAuthenticateResponse>(new SaslAuthenticateRequest { AuthBytes = scram.ClientFinal(first.AuthBytes) }, version);

        Assert.Equal((short)ErrorCode.SaslAuthenticationFailed, final.ErrorCode);
        Assert.Equal(SaslSession.FailureMessage(SaslMechanismNames.ScramSha512), final.ErrorMessage);
        Assert.True(await client.IsClosedByBrokerAsync());
    }

    [Fact]
    public async Task SaslHandshake_UnknownMechanism_AnswersUnsupportedWithEnabledListThenCloses()
    {
        await using var broker = await StartSaslBrokerAsync(SaslMechanismNames.ScramSha512, SaslMechanismNames.ScramSha256);
        await using var client = await SecurityWireClient.ConnectAsync(broker.BootstrapServers);

        var handshake = await client.SendAsync<SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = "GSSAPI" }, 1);

        Assert.Equal((short)ErrorCode.UnsupportedSaslMechanism, handshake.ErrorCode);
        Assert.Equal([SaslMechanismNames.ScramSha512, SaslMechanismNames.ScramSha256], handshake.Mechanisms);
        Assert.True(await client.IsClosedByBrokerAsync());
    }

    [Fact]
    public async Task Metadata_BeforeAuthentication_ClosesConnection()
    {
        await using var broker = await StartSaslBrokerAsync();
        await using var client = await SecurityWireClient.ConnectAsync(broker.BootstrapServers);

        await client.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 0);

        await client.SendExpectingCloseAsync(AllTopics(), 1);
    }

    [Fact]
    public async Task SaslAuthenticate_BeforeHandshake_ClosesConnection()
    {
        await using var broker = await StartSaslBrokerAsync();
        await using var client = await SecurityWireClient.ConnectAsync(broker.BootstrapServers);

        await client.SendExpectingCloseAsync(new SaslAuthenticateRequest { AuthBytes = "\0alice\0alice-secret"u8.ToArray() }, 1);
    }

    [Fact]
    public async Task ApiVersions_SecondBeforeHandshake_ClosesConnection()
    {
        await using var broker = await StartSaslBrokerAsync();
        await using var client = await SecurityWireClient.ConnectAsync(broker.BootstrapServers);

        await client.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 0);

        await client.SendExpectingCloseAsync(new ApiVersionsRequest(), 0);
    }

    [Fact]
    public async Task Frame_LargerThanSaslReceiveLimitBeforeAuthentication_ClosesConnection()
    {
        await using var broker = await StartSaslBrokerAsync();
        await using var client = await SecurityWireClient.ConnectAsync(broker.BootstrapServers);

        await client.SendBytesAsync([0x00, 0x08, 0x00, 0x01, 0, 0, 0, 0]);

        Assert.True(await client.IsClosedByBrokerAsync());
    }

    [Fact]
    public async Task SaslHandshake_OnPlaintextListener_AnswersIllegalSaslStateAndKeepsConnection()
    {
        await using var broker = await EmbeddedBroker.StartAsync(o => o.SeedTopics["open"] = 1);
        await using var client = await SecurityWireClient.ConnectAsync(broker.BootstrapServers);

        var handshake = await client.SendAsync<SaslHandshakeResponse>(new SaslHandshakeRequest { Mechanism = SaslMechanismNames.Plain }, 1);
        var authenticate = await client.SendAsync<SaslAuthenticateResponse>(new SaslAuthenticateRequest { AuthBytes = [] }, 1);
        var metadata = await client.SendAsync<MetadataResponse>(AllTopics(), 1);

        Assert.Equal((short)ErrorCode.IllegalSaslState, handshake.ErrorCode);
        Assert.Empty(handshake.Mechanisms);
        Assert.Equal((short)ErrorCode.IllegalSaslState, authenticate.ErrorCode);
        Assert.Contains(metadata.Topics, t => t.Name == "open");
    }

    [Fact]
    public async Task ApiVersions_PlaintextListener_AdvertisesSaslApisAsKafkaDoes()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        await using var client = await SecurityWireClient.ConnectAsync(broker.BootstrapServers);

        var versions = await client.SendAsync<ApiVersionsResponse>(new ApiVersionsRequest(), 0);

        var handshake = Assert.Single(versions.ApiKeys, k => k.ApiKey == (short)ApiKey.SaslHandshake);
        var authenticate = Assert.Single(versions.ApiKeys, k => k.ApiKey == (short)ApiKey.SaslAuthenticate);
        Assert.Equal((0, 1), (handshake.MinVersion, handshake.MaxVersion));
        Assert.Equal((0, 2), (authenticate.MinVersion, authenticate.MaxVersion));
    }
}
