namespace Samsa.Configuration;

/// <summary>How bad a configuration problem is.</summary>
internal enum KafkaConfigurationSeverity
{
    /// <summary>Logged at start; the service starts.</summary>
    Warning,

    /// <summary>The service does not start.</summary>
    Error,
}

/// <summary>One problem with the Kafka settings.</summary>
/// <param name="Severity">Error (start-up fails) or warning (logged).</param>
/// <param name="Setting">The key, variable or property concerned, as the user wrote it (<c>Kafka:Producer:batch_size</c>, <c>KAFKA_SASL_PASSWORD</c>).</param>
/// <param name="Message">What is wrong, with the bad value (secrets masked) and, where there is one, the nearest valid name.</param>
internal sealed record KafkaConfigurationIssue(KafkaConfigurationSeverity Severity, string Setting, string Message)
{
    /// <summary>An error.</summary>
    public static KafkaConfigurationIssue Error(string setting, string message) => new(KafkaConfigurationSeverity.Error, setting, message);

    /// <summary>A warning.</summary>
    public static KafkaConfigurationIssue Warning(string setting, string message) => new(KafkaConfigurationSeverity.Warning, setting, message);

    /// <inheritdoc />
    public override string ToString() => $"{Severity}: {Message}";
}
