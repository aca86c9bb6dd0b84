using System.Diagnostics;

namespace Samsa.Chaos.Tests.Support;

/// <summary>
/// Busy-spinning threads that compete with the broker for the CPU (the conditions under which the
/// reordering of issue 10 showed). They stop when disposed, or after <c>limit</c> at the latest.
/// </summary>
internal sealed class CpuHog : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly Thread[] _threads;

    public CpuHog(int threads, TimeSpan limit)
    {
        _stop = new CancellationTokenSource(limit);
        _threads = Enumerable.Range(0, threads).Select(_ => new Thread(Spin) { IsBackground = true, Priority = ThreadPriority.AboveNormal }).ToArray();
        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    private void Spin()
    {
        var token = _stop.Token;
        var clock = Stopwatch.StartNew();
        while (!token.IsCancellationRequested)
        {
            for (var i = 0; i < 100_000; i++)
            {
                clock.ElapsedTicks.GetHashCode();
            }

        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var thread in _threads)
        {
            thread.Join();
        }

        _stop.Dispose();
    }
}
