using Confluent.Kafka;
using Samsa.DependencyInjection;

namespace Samsa.AspNetCore.Console;

/// <summary>
/// The console's one admin client, built on first use from the service's validated Kafka settings and disposed with the
/// container: the overview asks the cluster every few seconds, too often to build a client each time.
/// </summary>
internal sealed class ConsoleAdmin(IKafkaAdminClientFactory factory) : IDisposable
{
    private readonly Lazy<IAdminClient> _client = new(() => factory.CreateAdminClient(), LazyThreadSafetyMode.ExecutionAndPublication);

    public IAdminClient Client => _client.Value;

    /// <summary>The protocol the clients use (only the protocol and mechanism are shown: never a credential).</summary>
    public string SecurityProtocol => (factory.Config.SecurityProtocol ?? Confluent.Kafka.SecurityProtocol.Plaintext).ToString();

    public string? SaslMechanism => factory.Config.SaslMechanism?.ToString();

    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }
}
