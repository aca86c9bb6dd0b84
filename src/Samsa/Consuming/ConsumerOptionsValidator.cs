using System.Globalization;
using Microsoft.Extensions.Options;
using Samsa.Provisioning;

namespace Samsa.Consuming;

/// <summary>
/// Checks every <see cref="ConsumerOptions"/> registration at start and reports all problems at once, each naming the
/// setting, its value and the allowed range.
/// </summary>
internal sealed class ConsumerOptionsValidator : IValidateOptions<ConsumerOptions>
{
    public ValidateOptionsResult Validate(string? name, ConsumerOptions options)
    {
        var failures = new List<string>();
        var where = string.IsNullOrEmpty(name) ? "Consumer" : $"Consumer '{name}'";

        void Fail(string message) => failures.Add($"{where}: {message}");

        if (string.IsNullOrWhiteSpace(options.Topic))
        {
            Fail("Topic is required.");
        }
        else if (TopicNameRules.Problem(options.Topic) is { } topicProblem)
        {
            Fail($"Topic '{options.Topic}' {topicProblem}.");
        }

        if (string.IsNullOrWhiteSpace(options.GroupId))
        {
            Fail("GroupId is required.");
        }

        if (options.MaxInFlightPerPartition is < 1 or > ConsumerDefaults.Limits.MaxInFlightPerPartition)
        {
            Fail($"MaxInFlightPerPartition is {options.MaxInFlightPerPartition}; it must be between 1 and {ConsumerDefaults.Limits.MaxInFlightPerPartition}.");
        }

        if (options.MaxConcurrencyPerPartition is < 1 or > ConsumerDefaults.Limits.MaxConcurrencyPerPartition)
        {
            Fail($"MaxConcurrencyPerPartition is {options.MaxConcurrencyPerPartition}; it must be between 1 and {ConsumerDefaults.Limits.MaxConcurrencyPerPartition}.");
        }
        else if (options.MaxConcurrencyPerPartition > 1 && options.ExactlyOnce)
        {
            // A transaction would commit the outputs of a record finished early while its offset waits behind an unfinished one.
            Fail($"MaxConcurrencyPerPartition is {options.MaxConcurrencyPerPartition}, which ExactlyOnce does not support; set it to 1 or turn ExactlyOnce off.");
        }
        else if (options.MaxConcurrencyPerPartition > 1 && options.IsBatchConsumer)
        {
            Fail($"MaxConcurrencyPerPartition is {options.MaxConcurrencyPerPartition}, which batch consumers do not support (a partition's batches run one after another); set it to 1.");
        }

        if (options.MaxBatchSize is < 1 or > ConsumerDefaults.Limits.MaxBatchSize)
        {
            Fail($"MaxBatchSize is {options.MaxBatchSize}; it must be between 1 and {ConsumerDefaults.Limits.MaxBatchSize}.");
        }

        CheckSpan(Fail, nameof(ConsumerOptions.MaxBatchWait), options.MaxBatchWait, TimeSpan.Zero, ConsumerDefaults.Limits.MaxInterval);

        if (options.MaxRecordsPerTransaction is < 1 or > ConsumerDefaults.Limits.MaxRecordsPerTransaction)
        {
            Fail($"MaxRecordsPerTransaction is {options.MaxRecordsPerTransaction}; it must be between 1 and {ConsumerDefaults.Limits.MaxRecordsPerTransaction}.");
        }

        if (options.TransactionalId is { } transactionalId && string.IsNullOrWhiteSpace(transactionalId))
        {
            Fail("TransactionalId is blank; leave it null for one derived from the group, the topic and InstanceId.");
        }

        if (options.InstanceId is { } instanceId && string.IsNullOrWhiteSpace(instanceId))
        {
            Fail("InstanceId is blank; leave it null for the host's name (HOSTNAME, the pod name in Kubernetes).");
        }

        CheckSpan(Fail, nameof(ConsumerOptions.CommitInterval), options.CommitInterval, ConsumerDefaults.Limits.MinCommitInterval, ConsumerDefaults.Limits.MaxInterval);
        CheckSpan(Fail, nameof(ConsumerOptions.ShutdownTimeout), options.ShutdownTimeout, TimeSpan.Zero, ConsumerDefaults.Limits.MaxInterval);
        CheckSpan(Fail, nameof(ConsumerOptions.RevokeTimeout), options.RevokeTimeout, TimeSpan.Zero, ConsumerDefaults.Limits.MaxInterval);
        CheckSpan(Fail, nameof(ConsumerOptions.DependencyProbeInterval), options.DependencyProbeInterval, TimeSpan.FromMilliseconds(1), ConsumerDefaults.Limits.MaxInterval);

        var retry = options.Retry;
        if (retry is null)
        {
            Fail("Retry is required.");
        }
        else
        {
            if (retry.MaxAttempts is < 1 or > ConsumerDefaults.Limits.MaxAttempts)
            {
                Fail($"Retry.MaxAttempts is {retry.MaxAttempts}; it must be between 1 and {ConsumerDefaults.Limits.MaxAttempts}.");
            }

            CheckSpan(Fail, "Retry.BaseDelay", retry.BaseDelay, TimeSpan.Zero, ConsumerDefaults.Limits.MaxInterval);
            CheckSpan(Fail, "Retry.MaxDelay", retry.MaxDelay, TimeSpan.Zero, ConsumerDefaults.Limits.MaxInterval);
            if (retry.MaxDelay < retry.BaseDelay)
            {
                Fail($"Retry.MaxDelay ({Show(retry.MaxDelay)}) is shorter than Retry.BaseDelay ({Show(retry.BaseDelay)}); make it at least as long.");
            }

            if (double.IsNaN(retry.Jitter) || retry.Jitter is < 0 or > 1)
            {
                Fail($"Retry.Jitter is {retry.Jitter.ToString(CultureInfo.InvariantCulture)}; it must be between 0 and 1.");
            }

            var delays = retry.RetryTopicDelays ?? [];
            if (delays.Count > ConsumerDefaults.Limits.MaxRetryTopics)
            {
                Fail($"Retry.RetryTopicDelays has {delays.Count} entries; at most {ConsumerDefaults.Limits.MaxRetryTopics} retry topics are allowed.");
            }

            for (var i = 0; i < delays.Count; i++)
            {
                CheckSpan(Fail, $"Retry.RetryTopicDelays[{i}]", delays[i], TimeSpan.Zero, ConsumerDefaults.Limits.MaxRetryTopicDelay);
            }
        }

        if (options.Classifier is null)
        {
            Fail("Classifier is required.");
        }

        if (options.DeadLetterTopic is { } dlq && !string.IsNullOrWhiteSpace(options.Topic))
        {
            if (string.IsNullOrWhiteSpace(dlq))
            {
                Fail("DeadLetterTopic is blank; leave it null for '<topic>.dlq'.");
            }
            else if (string.Equals(dlq, options.Topic, StringComparison.Ordinal))
            {
                Fail($"DeadLetterTopic is the source topic '{dlq}'; dead letters would be consumed again.");
            }
            else if (TopicNameRules.Problem(dlq) is { } dlqProblem)
            {
                Fail($"DeadLetterTopic '{dlq}' {dlqProblem}.");
            }
        }

        failures.AddRange(options.ConfigurationErrors);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckSpan(Action<string> fail, string setting, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            fail($"{setting} is {Show(value)}; it must be between {Show(min)} and {Show(max)}.");
        }
    }

    private static string Show(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}
