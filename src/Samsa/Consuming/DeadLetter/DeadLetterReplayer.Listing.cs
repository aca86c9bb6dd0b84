using Confluent.Kafka;
using Samsa.Native;
using Samsa.Provisioning;

namespace Samsa.Consuming.DeadLetter;

/// <summary>Listing: what a dead-letter topic holds, and which of it was replayed, without writing anything.</summary>
public sealed partial class DeadLetterReplayer
{
    /// <summary>
    /// Reads the dead letters of <paramref name="deadLetterTopic"/> that <paramref name="filter"/> picks (all when null), in
    /// offset order per partition, each marked with whether the ledger says it was replayed. Lists at most
    /// <see cref="DeadLetterDefaults.MaxListedRecords"/>; the counts are always complete.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="deadLetterTopic"/> is not a legal topic name (<see cref="TopicNameRules"/>).</exception>
    /// <exception cref="ReplayException">The dead-letter topic is missing, or reading failed.</exception>
    /// <exception cref="TimeoutException">The topics could not be read to their ends within <see cref="DeadLetterDefaults.ScanTimeout"/>.</exception>
    public Task<DeadLetterListing> ListAsync(string deadLetterTopic, ReplayFilter? filter = null, CancellationToken cancellationToken = default)
    {
        TopicNameRules.ThrowIfInvalid(deadLetterTopic, nameof(deadLetterTopic));
        LibrdkafkaLoader.EnsureLoaded();
        return Task.Factory.StartNew(
            () => List(deadLetterTopic, filter ?? new ReplayFilter(), cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private DeadLetterListing List(string topic, ReplayFilter filter, CancellationToken cancellationToken)
    {
        var readConfig = ReadConfig();
        var records = new List<ListedDeadLetter>();
        int scanned = 0, matched = 0, replayed = 0;
        try
        {
            var (deadLetters, ledger) = Open(topic, createLedger: false, readConfig, DeadLetterDefaults.ScanTimeout, cancellationToken);
            TopicReader.ReadAll(readConfig, topic, deadLetters, DeadLetterDefaults.ScanTimeout, _timeProvider, record =>
            {
                scanned++;
                var deadLetter = DeadLetterRecord.From(record);
                if (!filter.Matches(deadLetter))
                {
                    return;
                }

                matched++;
                var wasReplayed = ledger.Contains(deadLetter.Partition, deadLetter.Offset);
                replayed += wasReplayed ? 1 : 0;
                if (records.Count < DeadLetterDefaults.MaxListedRecords)
                {
                    records.Add(new ListedDeadLetter(deadLetter, wasReplayed));
                }
            }, cancellationToken);
        }
        catch (KafkaException exception)
        {
            throw new ReplayException($"Reading {topic} or its ledger failed: {exception.Error.Code}: {exception.Error.Reason}.", exception);
        }

        return new DeadLetterListing
        {
            DeadLetterTopic = topic,
            Scanned = scanned,
            Matched = matched,
            Replayed = replayed,
            Records = records,
        };
    }
}
