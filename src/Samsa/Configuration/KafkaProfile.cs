namespace Samsa.Configuration;

/// <summary>
/// The set of defaults that fills every Kafka setting left unset. Explicit settings always win.
/// </summary>
/// <remarks>
/// When <see cref="KafkaOptions.Profile"/> is not set, the host environment decides: <c>Development</c>
/// gets <see cref="Development"/>, every other environment (Production, Staging, custom names, or no host
/// at all) gets <see cref="Production"/>, so a forgotten setting fails safe.
/// </remarks>
public enum KafkaProfile
{
    /// <summary>Local work: PLAINTEXT, no SASL, no idempotence, no compression. See <see cref="KafkaDefaults.Development"/>.</summary>
    Development,

    /// <summary>Production: SASL_SSL with SCRAM-SHA-512, acks=all, idempotence, snappy, 32 KiB batches. See <see cref="KafkaDefaults.Production"/>.</summary>
    Production,
}
