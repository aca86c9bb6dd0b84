namespace Samsa.DependencyInjection;

/// <summary>
/// Registered once per <c>AddSamsaKafka("name")</c>: the host runner finds the named clusters' start-up gates (keyed by
/// the name) through it, and a second registration of one name is refused.
/// </summary>
/// <param name="Name">The cluster's name, the key of its services.</param>
internal sealed record NamedKafkaCluster(string Name);
