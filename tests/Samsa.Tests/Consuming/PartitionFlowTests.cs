using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Samsa.Consuming;
using Samsa.Consuming.DeadLetter;
using Samsa.Consuming.Retry;

namespace Samsa.Tests.Consuming;

/// <summary>
/// The one-way flow between a partition's processor, the record pipeline and the poll thread: the pipeline answers
/// with a <see cref="RecordOutcome"/> and writes <see cref="PartitionFlowState"/>; the poll thread reads the flow state
/// and <see cref="ConsumerSignals"/>.
/// </summary>
public sealed class PartitionFlowTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public void DependencyDown_SignalsThePollThread_WhichPausesThenResumesWhenItClears()
    {
        var signals = new ConsumerSignals(NullLogger.Instance);
        var flow = new PartitionFlowState(new TopicPartition("orders", 0), 0, signals);

        Assert.False(signals.TakePauseChange());
        Assert.True(flow.SetDependencyDown(true));
        Assert.False(flow.SetDependencyDown(true)); // unchanged: not counted twice
        Assert.True(signals.TakePauseChange());
        Assert.False(signals.TakePauseChange());
        Assert.Equal(PauseChange.Pause, flow.NextPauseChange(pending: 0, resumeAt: 5));
        flow.PauseApplied = true;
        Assert.Equal(PauseChange.None, flow.NextPauseChange(pending: 0, resumeAt: 5));
        Assert.Equal(ConsumerPartitionState.DependencyDown, flow.State);

        Assert.True(flow.SetDependencyDown(false));
        Assert.True(signals.TakePauseChange());
        Assert.Equal(PauseChange.Resume, flow.NextPauseChange(pending: 0, resumeAt: 5));
        flow.PauseApplied = false;
        Assert.Equal(ConsumerPartitionState.Running, flow.State);
    }

    [Fact]
    public void Backpressure_ClearedByThePollThreadOnlyOnceCaughtUp()
    {
        var flow = new PartitionFlowState(new TopicPartition("orders", 0), 0, new ConsumerSignals(NullLogger.Instance));

        flow.SetBackpressure();
        Assert.Equal(PauseChange.Pause, flow.NextPauseChange(pending: 10, resumeAt: 5));
        flow.PauseApplied = true;
        Assert.Equal(ConsumerPartitionState.Paused, flow.State);
        Assert.Equal(PauseChange.None, flow.NextPauseChange(pending: 6, resumeAt: 5));
        Assert.True(flow.Backpressured);

        Assert.Equal(PauseChange.Resume, flow.NextPauseChange(pending: 5, resumeAt: 5));
        Assert.False(flow.Backpressured);
    }

    [Fact]
    public void State_MostSpecificReasonWins()
    {
        var flow = new PartitionFlowState(new TopicPartition("orders", 0), 0, new ConsumerSignals(NullLogger.Instance));
        flow.PauseApplied = true;
        flow.SetDependencyDown(true);
        Assert.True(flow.SetBlocked(true));
        Assert.False(flow.SetBlocked(true));

        Assert.Equal(ConsumerPartitionState.Blocked, flow.State);
        Assert.True(flow.SetBlocked(false));
        Assert.Equal(ConsumerPartitionState.DependencyDown, flow.State);
    }

    [Fact]
    public void Signals_FirstFaultAndFirstMisconfigurationWin_MisconfigurationLoggedOnce()
    {
        var logger = new FakeLogger();
        var signals = new ConsumerSignals(logger);
        var first = new InvalidOperationException("first");

        signals.ReportFault(first);
        signals.ReportFault(new InvalidOperationException("second"));
        signals.ReportMisconfiguration(new MisconfigurationException("one", first));
        signals.ReportMisconfiguration(new MisconfigurationException("two"));

        Assert.Same(first, signals.Fault);
        Assert.Equal("one", signals.Misconfiguration!.Message);
        var logged = Assert.Single(logger.Collector.GetSnapshot());
        Assert.Equal(LogLevel.Critical, logged.Level);
        Assert.Same(first, logged.Exception);
    }

    [Fact]
    public void RecordOutcome_DefaultIsNotDone()
    {
        Assert.Equal(RecordOutcomeKind.Stopped, default(RecordOutcome).Kind);
        Assert.False(RecordOutcome.From(false).IsDone);
        Assert.True(RecordOutcome.From(true).IsDone);
        Assert.Equal(RecordOutcomeKind.Misconfigured, RecordOutcome.Misconfigured(new MisconfigurationException()).Kind);
    }

    [Fact]
    public async Task Processor_HandlerDependencyDown_FlowWantsPauseUntilTheProbeSaysBack_ThenRecordHandled()
    {
        var back = false;
        var counters = new ConsumerCounters();
        var dispatcher = new ScriptedDispatcher(call => call == 1 ? new DependencyDownException("database down") : null);
        var options = Options();
        options.DependencyProbe = (_, _) => ValueTask.FromResult(Volatile.Read(ref back));
        options.DependencyProbeInterval = TimeSpan.FromMilliseconds(10);
        var signals = new ConsumerSignals(NullLogger.Instance);
        using var processor = new PartitionProcessor(new TopicPartition("orders", 0), 0, Pipeline(options, dispatcher, counters), 10, signals);

        processor.Stage(Record(0), 1);
        processor.Flush();

        await Until(() => processor.Flow.DependencyDown);
        Assert.Equal(1, counters.DependencyDown);
        Assert.True(signals.TakePauseChange());
        Assert.Equal(PauseChange.Pause, processor.NextPauseChange());
        processor.Flow.PauseApplied = true;
        Assert.Equal(-1, processor.Offsets.Handled);

        Volatile.Write(ref back, true);
        await Until(() => processor.Offsets.Handled == 1);
        Assert.False(processor.Flow.DependencyDown);
        Assert.Equal(0, counters.DependencyDown);
        Assert.True(signals.TakePauseChange());
        Assert.Equal(PauseChange.Resume, processor.NextPauseChange());
        Assert.Equal(2, dispatcher.Calls);
        Assert.Null(signals.Misconfiguration);
        await processor.Stop().WaitAsync(Patience);
    }

    [Fact]
    public async Task Processor_MisconfiguredOutcome_StopsItselfAndReportsIt_NothingPastTheRecordHandled()
    {
        var dispatcher = new ScriptedDispatcher(call => call == 2 ? new MisconfigurationException("no connection string") : null);
        var signals = new ConsumerSignals(NullLogger.Instance);
        using var processor = new PartitionProcessor(new TopicPartition("orders", 0), 0, Pipeline(Options(), dispatcher, new ConsumerCounters()), 10, signals);

        for (var offset = 0; offset < 4; offset++)
        {
            processor.Stage(Record(offset), 1);
        }

        processor.Flush();

        await Until(() => signals.Misconfiguration is not null);
        await processor.Stop().WaitAsync(Patience);
        Assert.True(processor.IsStopping);
        Assert.Contains("orders[0]@1", signals.Misconfiguration!.Message, StringComparison.Ordinal);
        Assert.IsType<MisconfigurationException>(signals.Misconfiguration.InnerException);
        Assert.Equal(1, processor.Offsets.Handled);
        Assert.Equal(2, dispatcher.Calls);
        Assert.Null(signals.Fault);
    }

    private static ConsumerOptions Options() => new() { Topic = "orders", GroupId = "billing", DisableTracing = true };

    private static RecordPipeline Pipeline(ConsumerOptions options, EventDispatcher dispatcher, ConsumerCounters counters)
    {
        var producer = new NullProducer();
        return new RecordPipeline(
            options,
            dispatcher,
            new DeadLetterWriter("orders.dlq", options.GroupId, producer),
            null,
            null,
            producer,
            OutputMessageBuilder.Default,
            new ServiceCollection().BuildServiceProvider(),
            TimeProvider.System,
            () => 0.5,
            counters,
            null,
            NullLogger.Instance);
    }

    private static ConsumeResult<byte[]?, byte[]?> Record(long offset) => new()
    {
        TopicPartitionOffset = new TopicPartitionOffset("orders", 0, offset),
        Message = new Message<byte[]?, byte[]?> { Value = [1] },
    };

    private static async Task Until(Func<bool> condition)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (!condition())
        {
            Assert.True(System.Diagnostics.Stopwatch.GetElapsedTime(started) < Patience, "timed out");
            await Task.Delay(5);
        }
    }

    /// <summary>A handler whose call n fails with what the script says (null: succeeds).</summary>
    private sealed class ScriptedDispatcher(Func<int, Exception?> failure) : EventDispatcher
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public override object? Deserialize(ConsumeResult<byte[]?, byte[]?> record, ConsumeContext context) => record.Message.Value;

        public override ValueTask HandleAsync(object? @event, ConsumeContext context, CancellationToken cancellationToken) =>
            failure(Interlocked.Increment(ref _calls)) is { } exception ? ValueTask.FromException(exception) : ValueTask.CompletedTask;
    }

    private sealed class NullProducer : IRecordProducer
    {
        public Task ProduceAsync(string topic, Message<byte[]?, byte[]?> message, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task ProduceAsync(TopicPartition target, Message<byte[]?, byte[]?> message, CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}
