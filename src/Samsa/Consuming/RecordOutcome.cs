using Samsa.Consuming.Retry;

namespace Samsa.Consuming;

/// <summary>What <see cref="RecordPipeline"/> did with a record (or a batch), for its <see cref="PartitionProcessor"/> to act on.</summary>
internal enum RecordOutcomeKind
{
    /// <summary>
    /// Not done with: the partition stopped (revoke, shutdown, abort) or its work was discarded by an aborted
    /// transaction first. Nothing is marked handled; the rest of the processor's batch is dropped, and the record is read
    /// again by the partition's next owner (or after the rewind). The default.
    /// </summary>
    Stopped,

    /// <summary>Done with (handled, forwarded to a retry topic, dead-lettered or skipped): its offset may be committed.</summary>
    Done,

    /// <summary>
    /// A <see cref="FailureKind.Fatal"/> failure: the processor stops the partition where it is (the record and those
    /// after it stay uncommitted) and reports <see cref="RecordOutcome.Misconfiguration"/>, which stops the worker.
    /// </summary>
    Misconfigured,
}

/// <summary>
/// The pipeline's answer for one record or batch: a value the processor acts on, so the pipeline never calls back into
/// the processor or the worker. A struct, so the usual <see cref="RecordOutcomeKind.Done"/> costs no allocation.
/// </summary>
internal readonly struct RecordOutcome
{
    private RecordOutcome(RecordOutcomeKind kind, MisconfigurationException? misconfiguration)
    {
        Kind = kind;
        Misconfiguration = misconfiguration;
    }

    /// <inheritdoc cref="RecordOutcomeKind.Done"/>
    public static RecordOutcome Done => new(RecordOutcomeKind.Done, null);

    /// <inheritdoc cref="RecordOutcomeKind.Stopped"/>
    public static RecordOutcome Stopped => default;

    public RecordOutcomeKind Kind { get; }

    /// <summary>True for <see cref="RecordOutcomeKind.Done"/>: the record's offset may be committed.</summary>
    public bool IsDone => Kind == RecordOutcomeKind.Done;

    /// <summary>For <see cref="RecordOutcomeKind.Misconfigured"/>: what the worker reports (it names the record and the cause).</summary>
    public MisconfigurationException? Misconfiguration { get; }

    /// <inheritdoc cref="RecordOutcomeKind.Misconfigured"/>
    public static RecordOutcome Misconfigured(MisconfigurationException misconfiguration) => new(RecordOutcomeKind.Misconfigured, misconfiguration);

    /// <summary><see cref="Done"/> when <paramref name="done"/>, else <see cref="Stopped"/>.</summary>
    public static RecordOutcome From(bool done) => done ? Done : Stopped;

    /// <inheritdoc />
    public override string ToString() => Misconfiguration is null ? Kind.ToString() : $"{Kind}: {Misconfiguration.Message}";
}
