using System.Collections.Concurrent;
using System.Diagnostics;
using Samsa.Consuming;

namespace Samsa.Benchmarks.Consuming;

/// <summary>
/// A simulated I/O device: <see cref="WaitAsync"/> returns a task that completes once <see cref="Latency"/> has passed,
/// without holding the caller's thread. One dedicated thread completes the queued waiters in order once their deadline
/// (<see cref="Stopwatch"/>) is reached, spinning (<see cref="Thread.Yield"/>) while any is pending and blocking on a
/// semaphore when none is. Its CPU time is part of the process's, so it is counted in every case that uses it alike.
/// </summary>
/// <remarks>
/// Every waiter gets the same latency, so deadlines are in queue order (up to the few ticks between two callers taking
/// the clock and enqueueing). Continuations run on the thread pool (<see cref="TaskCreationOptions.RunContinuationsAsynchronously"/>),
/// never on the device thread; a synchronous waiter (<c>GetAwaiter().GetResult()</c>) is woken directly.
/// </remarks>
internal sealed class SimulatedIoDevice : IDisposable
{
    private readonly ConcurrentQueue<Waiter> _queue = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly long _latencyTicks;
    private readonly Thread _thread;
    private int _sleeping;
    private volatile bool _disposed;

    public SimulatedIoDevice(TimeSpan latency)
    {
        Latency = latency;
        _latencyTicks = (long)(latency.TotalSeconds * Stopwatch.Frequency);
        _thread = new Thread(Run) { IsBackground = true, Name = "simulated-io-device" };
        _thread.Start();
    }

    public TimeSpan Latency { get; }

    /// <summary>One round trip: completes <see cref="Latency"/> after the call.</summary>
    public Task WaitAsync()
    {
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Enqueue(new Waiter(Stopwatch.GetTimestamp() + _latencyTicks, completion));
        if (Interlocked.CompareExchange(ref _sleeping, 0, 1) == 1)
        {
            _wake.Release();
        }

        return completion.Task;
    }

    public void Dispose()
    {
        _disposed = true;
        _wake.Release();
        _thread.Join();
        _wake.Dispose();
    }

    private void Run()
    {
        while (!_disposed)
        {
            if (_queue.TryPeek(out var head))
            {
                if (Stopwatch.GetTimestamp() >= head.Deadline)
                {
                    _queue.TryDequeue(out _);
                    head.Completion.TrySetResult();
                }
                else
                {
                    Thread.Yield();
                }

                continue;
            }

            // Idle: announce it, look once more, then block until a caller takes the announcement back and wakes us.
            Interlocked.Exchange(ref _sleeping, 1);
            if (_queue.IsEmpty || Interlocked.CompareExchange(ref _sleeping, 0, 1) == 0)
            {
                // Either nothing came (a caller will wake us) or a caller already took the flag and released: consume it.
                _wake.Wait();
            }
        }
    }

    private readonly record struct Waiter(long Deadline, TaskCompletionSource Completion);
}

/// <summary>
/// Counts handled records per partition (thread-safe: keyed mode handles a partition's records concurrently) and takes
/// the window's snapshots at the first call and when the last expected record is handled.
/// </summary>
internal sealed class HandledCounter
{
    private const int Stride = 16; // one cache line per partition's counter

    private readonly int[] _expected;
    private readonly long[] _handled;
    private int _started;
    private int _unfinished;

    public HandledCounter(int records, int partitions)
    {
        _expected = [.. Enumerable.Range(0, partitions).Select(p => (records / partitions) + (p < records % partitions ? 1 : 0))];
        _handled = new long[partitions * Stride];
        _unfinished = partitions;
    }

    public ManualResetEventSlim Done { get; } = new();

    public ConsumerBenchmarks.Snapshot Start { get; private set; }

    public ConsumerBenchmarks.Snapshot End { get; private set; }

    public long Handled => Enumerable.Range(0, _expected.Length).Sum(p => Volatile.Read(ref _handled[p * Stride]));

    /// <summary>Called when a handler call begins: the first one opens the window.</summary>
    public void Begin()
    {
        if (Volatile.Read(ref _started) == 0 && Interlocked.Exchange(ref _started, 1) == 0)
        {
            Start = ConsumerBenchmarks.Snapshot.Take();
        }
    }

    /// <summary>Called when <paramref name="count"/> records of <paramref name="partition"/> are handled: the last one closes the window.</summary>
    public void Add(int partition, int count)
    {
        if (Interlocked.Add(ref _handled[partition * Stride], count) == _expected[partition] && Interlocked.Decrement(ref _unfinished) == 0)
        {
            End = ConsumerBenchmarks.Snapshot.Take();
            Done.Set();
        }
    }
}

/// <summary>Waits one round trip of the simulated device per record.</summary>
internal sealed class IoHandler(SimulatedIoDevice device, HandledCounter counter) : IEventHandler<byte[]>
{
    public HandledCounter Counter => counter;

    public async ValueTask HandleAsync(byte[] @event, ConsumeContext context, CancellationToken cancellationToken)
    {
        counter.Begin();
        await device.WaitAsync().ConfigureAwait(false);
        counter.Add(context.Partition, 1);
    }
}

/// <summary>Waits one round trip of the simulated device per batch, as one bulk write would.</summary>
internal sealed class IoBatchHandler(SimulatedIoDevice device, HandledCounter counter) : IEventBatchHandler<byte[]>
{
    public HandledCounter Counter => counter;

    public async ValueTask HandleAsync(IReadOnlyList<ConsumedRecord<byte[]>> records, ConsumeBatchContext context, CancellationToken cancellationToken)
    {
        counter.Begin();
        await device.WaitAsync().ConfigureAwait(false);
        counter.Add(context.Partition, records.Count);
    }
}
