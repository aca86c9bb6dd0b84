namespace Samsa.Startup;

/// <summary>A cancellation token that fires after a time limit (on the given clock) or with an outer token.</summary>
internal sealed class StepTimeout : IDisposable
{
    private readonly CancellationTokenSource _timer;
    private readonly CancellationTokenSource _linked;

    public StepTimeout(TimeSpan limit, TimeProvider timeProvider, CancellationToken outer)
    {
        _timer = new CancellationTokenSource(limit, timeProvider);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(outer, _timer.Token);
    }

    /// <summary>Fires at the limit or with the outer token.</summary>
    public CancellationToken Token => _linked.Token;

    /// <summary>True once the limit has passed.</summary>
    public bool TimedOut => _timer.IsCancellationRequested;

    public void Dispose()
    {
        _linked.Dispose();
        _timer.Dispose();
    }
}
