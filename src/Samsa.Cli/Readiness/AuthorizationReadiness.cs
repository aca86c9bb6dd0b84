using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.Configuration;
using Samsa.Consuming;
using Samsa.Publishing;
using Samsa.Startup;

namespace Samsa.Cli.Readiness;

/// <summary>
/// The start-up gate's authorization step for the consumers and publisher topics named on the command line: the
/// same requirements (<see cref="ConsumerAccessRequirements"/>, <see cref="PublisherAccessRequirements"/>) and the
/// same probe (<see cref="AuthorizationProbe"/>), so <c>samsa check</c> and a starting service agree on what is missing.
/// </summary>
internal static class AuthorizationReadiness
{
    /// <summary>The area of the findings.</summary>
    public const string Area = "authorization";

    /// <summary>One finding per missing permission (with the <c>kafka-acls.sh</c> line that grants it), per resource not checked, or one pass.</summary>
    public static async Task<List<ReadinessFinding>> CheckAsync(
        IAdminClient admin,
        KafkaOptions options,
        AdminClientConfig config,
        IReadOnlyList<ConsumerDeclaration> consumers,
        IReadOnlyList<string> publisherTopics,
        TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var requirements = Requirements(consumers, publisherTopics);
        if (requirements.Count == 0)
        {
            return [ReadinessFinding.Skipped(Area, "ACLs", "no --consumer or --publisher-topic given, so no permission to check")];
        }

        AuthorizationProbe.Outcome outcome;
        try
        {
            outcome = await AuthorizationProbe.CheckAsync(admin, requirements, timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException exception)
        {
            return [ReadinessFinding.Fail(Area, "ACLs", $"the cluster refused to report the principal's operations: {exception.Error.Reason} ({exception.Error.Code})")];
        }

        var principal = new StartupHints(options, config).Principal ?? "<principal>";
        var findings = new List<ReadinessFinding>();
        foreach (var missing in outcome.Missing)
        {
            var resource = missing.Resource == KafkaAccessResource.Topic ? "topic" : "group";
            findings.Add(ReadinessFinding.Fail(
                Area,
                $"{missing.Operation} on {resource} {missing.Name}",
                $"{principal} may not: {missing.NeededBy}. Grant it with `kafka-acls.sh --bootstrap-server {config.BootstrapServers} --add " +
                $"--allow-principal {principal} --operation {missing.Operation} --{resource} {missing.Name}`"));
        }

        findings.AddRange(outcome.Unchecked.Select(what => ReadinessFinding.Warn(Area, "not checked", what)));
        if (outcome.Missing.Count == 0)
        {
            findings.Add(ReadinessFinding.Pass(Area, "ACLs", $"{principal} has the {outcome.Checked} permission(s) checked"));
        }

        return findings;
    }

    /// <summary>What a service with these consumers and publisher topics would declare at start-up.</summary>
    internal static List<KafkaAccessRequirement> Requirements(IReadOnlyList<ConsumerDeclaration> consumers, IReadOnlyList<string> publisherTopics)
    {
        var kafka = new KafkaOptions();
        foreach (var consumer in consumers)
        {
            ConsumerAccessRequirements.Declare(kafka, new ConsumerOptions { Topic = consumer.Topic, GroupId = consumer.Group });
        }

        foreach (var topic in publisherTopics)
        {
            KafkaAccessRequirement.Add(kafka.AccessRequirements, KafkaAccessResource.Topic, topic, AclOperation.Write, "the publisher sends to it");
        }

        return kafka.AccessRequirements;
    }
}
