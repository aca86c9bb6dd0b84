namespace Samsa.Health;

/// <summary>
/// One cluster's broker probe and the cache its health check reads; <see cref="HealthRefreshService"/> refreshes every
/// registered one, so each cluster (the default one, and each <c>AddSamsaKafka("name")</c>) has its own check.
/// </summary>
/// <param name="Cluster">The named cluster, or null for the default one.</param>
/// <param name="Probe">Asks the cluster for its metadata.</param>
/// <param name="Cache">Holds the last answer for the health check.</param>
internal sealed record ClusterHealthProbe(string? Cluster, KafkaHealthCheck Probe, KafkaHealthCache Cache);
