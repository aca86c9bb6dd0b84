using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;
using Samsa.Diagnostics;

namespace Samsa.Consuming.DeadLetter;

/// <summary>
/// The writes of one replay: replayed records go out with up to <see cref="MaxInFlight"/> unacknowledged (one producer,
/// so records for one partition stay in the order they were sent), and each record's ledger marker is written once
/// the record is acknowledged, because the marker names the offset it got. A crash can therefore leave up to
/// <see cref="MaxInFlight"/> records written without their markers; the next replay writes them again (at least once).
/// </summary>
/// <remarks>
/// The replay thread owns everything but the delivery reports: librdkafka's delivery thread only stops spans, frees a
/// window slot and queues what was acknowledged; the replay thread takes the queue (<see cref="TakeAcknowledged"/>),
/// writes the markers and updates the run.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The window is left to the GC on purpose: see the field.")]
internal sealed class ReplayPipeline(IProducer<byte[]?, byte[]?> producer, string ledgerTopic)
{
    /// <summary>Replayed records sent and not yet acknowledged, at most.</summary>
    public const int MaxInFlight = 256;

    // Not disposed: a delivery report can still arrive while the producer is disposed after a cancelled replay, and it
    // releases a slot (a SemaphoreSlim whose wait handle is never asked for holds nothing to free).
    private readonly SemaphoreSlim _window = new(MaxInFlight, MaxInFlight);
    private readonly ConcurrentQueue<ReplayedRecord> _acknowledged = new();
    private ProduceException<byte[]?, byte[]?>? _failure;

    /// <summary>The first write that failed (a replayed record or a marker), or null.</summary>
    public ProduceException<byte[]?, byte[]?>? Failure => Volatile.Read(ref _failure);

    /// <summary>Sends one replayed record, first waiting for a free slot; <paramref name="span"/> is stopped when it is acknowledged.</summary>
    public void Send(TopicPartition destination, Message<byte[]?, byte[]?> message, DeadLetterRecord deadLetter, Activity? span, CancellationToken cancellationToken)
    {
        _window.Wait(cancellationToken);
        try
        {
            producer.Produce(destination, message, report => OnRecordDelivered(report, deadLetter, span));
        }
        catch
        {
            _window.Release();
            throw;
        }
    }

    /// <summary>Writes the ledger marker of a record that was acknowledged.</summary>
    public void WriteMarker(ReplayedRecord replayed, DateTimeOffset at)
    {
        var marker = ReplayLedger.Marker(
            replayed.DeadLetter.Partition, replayed.DeadLetter.Offset, replayed.TargetTopic, replayed.TargetPartition, replayed.TargetOffset, at);
        producer.Produce(ledgerTopic, marker, report =>
        {
            if (report.Error.IsError)
            {
                Fail(new ProduceException<byte[]?, byte[]?>(report.Error, report));
            }
        });
    }

    /// <summary>The records acknowledged since the last call, in the order their reports arrived.</summary>
    public IEnumerable<ReplayedRecord> TakeAcknowledged()
    {
        while (_acknowledged.TryDequeue(out var replayed))
        {
            yield return replayed;
        }
    }

    /// <summary>Waits until every write sent so far is acknowledged or failed.</summary>
    public void Flush(CancellationToken cancellationToken) => producer.Flush(cancellationToken);

    private void OnRecordDelivered(DeliveryReport<byte[]?, byte[]?> report, DeadLetterRecord deadLetter, Activity? span)
    {
        try
        {
            if (report.Error.IsError)
            {
                if (span is not null)
                {
                    SamsaActivitySource.CompleteSend(span, -1, -1, report.Error.Code, report.Error.Reason);
                }

                Fail(new ProduceException<byte[]?, byte[]?>(report.Error, report));
                return;
            }

            if (span is not null)
            {
                SamsaActivitySource.CompleteSend(span, report.Partition.Value, report.Offset.Value, ErrorCode.NoError, null);
            }

            _acknowledged.Enqueue(new ReplayedRecord(deadLetter, report.Topic, report.Partition.Value, report.Offset.Value));
        }
        finally
        {
            _window.Release();
        }
    }

    private void Fail(ProduceException<byte[]?, byte[]?> exception) => Interlocked.CompareExchange(ref _failure, exception, null);
}
