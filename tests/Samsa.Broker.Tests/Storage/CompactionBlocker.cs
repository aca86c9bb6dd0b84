using Samsa.Broker.Storage;

namespace Samsa.Broker.Tests.Storage;

/// <summary>
/// Holds up a compaction pass deterministically: the first append to a <c>.log.cleaned</c> file (only
/// a pass writes those, while it builds its segments) waits until <see cref="Release"/>. Waits are
/// bounded, so a test that goes wrong fails rather than hangs.
/// </summary>
internal sealed class CompactionBlocker : IDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly ManualResetEventSlim _reached = new();
    private readonly ManualResetEventSlim _released = new();
    private int _blocked;

    public CompactionBlocker(InstrumentedStorage storage)
    {
        storage.BeforeAppend = name =>
        {
            if (name.EndsWith(".log" + LogFileNames.CleanedSuffix, StringComparison.Ordinal) && Interlocked.Exchange(ref _blocked, 1) == 0)
            {
                _reached.Set();
                if (!_released.Wait(Timeout))
                {
                    throw new TimeoutException("The compaction pass was never released.");
                }
            }
        };
    }

    /// <summary>Waits until a pass is held up inside its build phase.</summary>
    public void WaitUntilReached() => Assert.True(_reached.Wait(Timeout), "no compaction pass started writing cleaned segments");

    public void Release() => _released.Set();

    /// <summary>Lets a held pass go (a failed test must not leave it waiting). The events are not disposed: the pass may still be leaving its wait.</summary>
    public void Dispose() => _released.Set();
}
