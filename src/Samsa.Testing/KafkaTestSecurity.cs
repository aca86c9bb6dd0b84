namespace Samsa.Testing;

/// <summary>How clients connect to a <see cref="KafkaTestCluster"/> (Kafka's <c>security.protocol</c>).</summary>
public enum KafkaTestSecurity
{
    /// <summary><c>PLAINTEXT</c>: no TLS, no login.</summary>
    Plaintext,

    /// <summary><c>SSL</c>: TLS with a certificate signed by a CA generated for the cluster.</summary>
    Tls,

    /// <summary><c>SASL_PLAINTEXT</c>: a SASL login (<see cref="KafkaTestClusterOptions.SaslMechanism"/>) without TLS.</summary>
    SaslPlaintext,

    /// <summary><c>SASL_SSL</c>: TLS and a SASL login.</summary>
    SaslSsl,
}

/// <summary>The SASL mechanism of a cluster that uses SASL (Kafka's <c>sasl.mechanism</c>).</summary>
public enum KafkaTestSaslMechanism
{
    /// <summary><c>PLAIN</c>.</summary>
    Plain,

    /// <summary><c>SCRAM-SHA-256</c>.</summary>
    ScramSha256,

    /// <summary><c>SCRAM-SHA-512</c>.</summary>
    ScramSha512,
}

/// <summary>Where a cluster keeps its logs and metadata.</summary>
public enum KafkaTestStorage
{
    /// <summary>In memory: fastest; gone when the cluster is disposed.</summary>
    Memory,

    /// <summary>On disk, in <see cref="KafkaTestClusterOptions.DataDirectory"/> or a temporary directory deleted on dispose.</summary>
    Disk,
}
