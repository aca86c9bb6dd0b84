using Samsa.Protocol;

namespace Samsa.Testing.Faults;

/// <summary>
/// One injected fault. It stays in force until it has caught its number of requests, is lifted
/// (<see cref="Lift"/> or <see cref="Dispose"/>) or its duration passes.
/// <code>using var fault = kafka.Faults.FailNext(ApiKey.Produce, ErrorCode.NotEnoughReplicas, count: 2);</code>
/// </summary>
public sealed class FaultHandle : IDisposable
{
    private readonly KafkaFaults _owner;
    private int _remaining;
    private int _applied;
    private int _lifted;

    internal FaultHandle(KafkaFaults owner, FaultKind kind, ApiKey? api, RequestFilter filter, int? count)
    {
        _owner = owner;
        Kind = kind;
        Api = api;
        Filter = filter;
        _remaining = count ?? -1;
    }

    /// <summary>What the fault does.</summary>
    public FaultKind Kind { get; }

    /// <summary>The API it catches; null for every API.</summary>
    public ApiKey? Api { get; }

    /// <summary>The requests it catches.</summary>
    public RequestFilter Filter { get; }

    /// <summary>The error code of an <see cref="FaultKind.Error"/> fault.</summary>
    public ErrorCode Error { get; internal init; }

    /// <summary>The delay of a <see cref="FaultKind.Delay"/> fault, or the throttle time of a <see cref="FaultKind.Throttle"/> one.</summary>
    public TimeSpan Duration { get; internal init; }

    /// <summary>How many requests it has caught so far.</summary>
    public int TimesApplied => Volatile.Read(ref _applied);

    /// <summary>True until it is lifted or has caught its number of requests.</summary>
    public bool IsActive => Volatile.Read(ref _lifted) == 0 && Volatile.Read(ref _remaining) != 0;

    /// <summary>Ends the fault; requests are served normally from now on. Safe to call more than once.</summary>
    public void Lift()
    {
        if (Interlocked.Exchange(ref _lifted, 1) == 0)
        {
            _owner.Remove(this);
        }
    }

    /// <summary>Lifts the fault.</summary>
    public void Dispose() => Lift();

    /// <summary>Claims one use: false when the fault is used up or lifted.</summary>
    internal bool TryApply()
    {
        while (true)
        {
            if (Volatile.Read(ref _lifted) != 0)
            {
                return false;
            }

            var remaining = Volatile.Read(ref _remaining);
            if (remaining == 0)
            {
                return false;
            }

            if (remaining < 0 || Interlocked.CompareExchange(ref _remaining, remaining - 1, remaining) == remaining)
            {
                Interlocked.Increment(ref _applied);
                if (remaining == 1)
                {
                    _owner.Remove(this);
                }

                return true;
            }
        }
    }

    internal bool Catches(ApiKey api) => Api is null || Api == api;

    /// <inheritdoc />
    public override string ToString() => $"{Kind} {Api?.ToString() ?? "any API"}{(Kind == FaultKind.Error ? " " + Error : "")} ({Filter})";
}
