using Microsoft.Extensions.Logging;
using Samsa.Consuming.Retry;
using Samsa.Diagnostics;

namespace Samsa.Consuming;

/// <summary>
/// What a worker's processing side (its partition processors, and the <see cref="PartitionFlowState"/> the record
/// pipeline writes) reports to its poll thread. Owned by the worker; the processing side only writes it, the poll thread
/// reads it once per loop iteration. Nothing here calls back: a report is a flag or a first-wins field, all atomic.
/// </summary>
internal sealed class ConsumerSignals(ILogger logger)
{
    private int _pauseChanged;
    private Exception? _fault;
    private MisconfigurationException? _misconfiguration;

    /// <summary>The first failure of a processor outside any handler call (a bug), or null. The worker faults on it.</summary>
    public Exception? Fault => Volatile.Read(ref _fault);

    /// <summary>The first misconfiguration reported (<see cref="FailureKind.Fatal"/>), or null. The worker stops on it and ends Faulted.</summary>
    public MisconfigurationException? Misconfiguration => Volatile.Read(ref _misconfiguration);

    /// <summary>
    /// Says that some partition may want to be paused or resumed now (a dependency went down or came back, a
    /// backpressured partition caught up); the poll thread then goes over its partitions' <see cref="PartitionFlowState"/>.
    /// </summary>
    public void RaisePauseChange() => Volatile.Write(ref _pauseChanged, 1);

    /// <summary>Poll thread: true (and reset) when <see cref="RaisePauseChange"/> was called since the last call. A full fence when it resets.</summary>
    public bool TakePauseChange() => Volatile.Read(ref _pauseChanged) != 0 && Interlocked.Exchange(ref _pauseChanged, 0) != 0;

    /// <summary>Records a processor's failure outside any handler call; several may fail at once, the first is the one reported.</summary>
    public void ReportFault(Exception exception) => Interlocked.CompareExchange(ref _fault, exception, null);

    /// <summary>Records a misconfiguration; the first is logged (once) and stops the worker, later ones are dropped.</summary>
    public void ReportMisconfiguration(MisconfigurationException misconfiguration)
    {
        if (Interlocked.CompareExchange(ref _misconfiguration, misconfiguration, null) is null)
        {
            Log.ConsumerMisconfigured(logger, misconfiguration.InnerException ?? misconfiguration, misconfiguration.Message);
        }
    }
}
