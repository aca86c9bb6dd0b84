using Microsoft.Extensions.DependencyInjection;

namespace Samsa.Consuming;

/// <summary>
/// The consumer workers this service registered (<c>AddConsumer</c>), found by topic and group: the typed way to read
/// a worker's status (<see cref="ConsumerWorker.GetStatus"/>) without knowing how registrations are keyed.
/// </summary>
public sealed class ConsumerWorkers
{
    private readonly IServiceProvider _services;
    private readonly IReadOnlyList<(string GroupId, string Topic)> _registrations;

    internal ConsumerWorkers(IServiceProvider services, IEnumerable<Registration> registrations)
    {
        _services = services;
        _registrations = [.. registrations.Select(r => (r.GroupId, r.Topic))];
    }

    /// <summary>Every registered worker, in registration order.</summary>
    public IReadOnlyList<ConsumerWorker> All => [.. _registrations.Select(r => Resolve(r.GroupId, r.Topic))];

    /// <summary>The worker consuming <paramref name="topic"/> in <paramref name="groupId"/>, or null when there is none.</summary>
    public ConsumerWorker? Find(string topic, string groupId) =>
        _registrations.Contains((groupId, topic)) ? Resolve(groupId, topic) : null;

    /// <summary>The worker consuming <paramref name="topic"/> in <paramref name="groupId"/>.</summary>
    /// <exception cref="InvalidOperationException">No such consumer is registered; the message lists those that are.</exception>
    public ConsumerWorker Get(string topic, string groupId) =>
        Find(topic, groupId) ?? throw new InvalidOperationException(
            $"No consumer of topic '{topic}' in group '{groupId}' is registered. Registered: " +
            (_registrations.Count == 0 ? "none" : string.Join(", ", _registrations.Select(r => $"topic '{r.Topic}' in group '{r.GroupId}'"))) + ".");

    private ConsumerWorker Resolve(string groupId, string topic) =>
        _services.GetRequiredKeyedService<ConsumerWorker>(SamsaConsumerBuilderExtensions.RegistrationName(groupId, topic));

    /// <summary>One <c>AddConsumer</c> call, registered beside its worker so the workers can be listed.</summary>
    internal sealed record Registration(string GroupId, string Topic);
}
