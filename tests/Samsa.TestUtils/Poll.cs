using System.Diagnostics;

namespace Samsa.TestUtils;

/// <summary>
/// The tests' one way to wait for something that happens on another thread or process: ask again every
/// <see cref="Interval"/> until it holds or the time is up. <c>UntilAsync</c> throws a <see cref="TimeoutException"/> naming
/// what was awaited (and, when given, what things look like then); <c>TryUntilAsync</c> answers false instead.
/// </summary>
public static class Poll
{
    /// <summary>How long <c>UntilAsync</c> waits unless told.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long <c>TryUntilAsync</c> waits unless told.</summary>
    public static readonly TimeSpan DefaultTryTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The time between two looks.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);

    /// <summary>Waits until <paramref name="condition"/> holds; a <see cref="TimeoutException"/> naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null, Func<string>? describe = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, timeout, describe is null ? null : () => Task.FromResult(describe()));

    /// <summary>Waits until <paramref name="condition"/> holds; a <see cref="TimeoutException"/> naming <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null, Func<Task<string>>? describe = null) =>
        await UntilAsync(condition, held => held, what, timeout, describe);

    /// <summary>Reads until <paramref name="condition"/> holds of what <paramref name="read"/> answers, and returns that answer.</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> condition, string what, TimeSpan? timeout = null, Func<Task<string>>? describe = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var value = await read();
            if (condition(value))
            {
                return value;
            }

            if (clock.Elapsed > limit)
            {
                // What things look like then is what tells a slow start from a stuck one.
                var state = describe is null ? string.Empty : " " + await describe();
                throw new TimeoutException($"Waited {limit.TotalSeconds:0.#} s for: {what}.{state}");
            }

            await Task.Delay(Interval);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds: true, or false once <paramref name="timeout"/> passed.</summary>
    public static async Task<bool> TryUntilAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTryTimeout;
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > limit)
            {
                return false;
            }

            await Task.Delay(Interval);
        }

        return true;
    }
}
