using Confluent.Kafka;

namespace Samsa.DependencyInjection;

/// <summary>
/// Builds Confluent admin clients from the validated <see cref="Configuration.KafkaOptions"/>. The start-up gate,
/// topic provisioning and the health check get their clients here. Registered as a singleton by <c>AddSamsaKafka</c>.
/// </summary>
public interface IKafkaAdminClientFactory
{
    /// <summary>The admin client configuration, built on first use from the options (which validates them).</summary>
    AdminClientConfig Config { get; }

    /// <summary>
    /// Builds a new admin client; the caller disposes it. Building does not connect: only a request proves the
    /// brokers are reachable.
    /// </summary>
    /// <param name="onError">
    /// Receives the errors librdkafka reports (a failed SASL login, all brokers down). Called on librdkafka's
    /// thread: it must return at once.
    /// </param>
    IAdminClient CreateAdminClient(Action<Error>? onError = null);
}
