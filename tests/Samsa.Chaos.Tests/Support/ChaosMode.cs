namespace Samsa.Chaos.Tests.Support;

/// <summary>
/// Short mode (the default, run by <c>./test.sh</c>) keeps every scenario to seconds; long mode
/// (<c>SAMSA_CHAOS_LONG=1</c>, set by <c>scripts/chaos.sh --long</c>) runs the same scenarios at full size.
/// </summary>
internal static class ChaosMode
{
    public const string LongVariable = "SAMSA_CHAOS_LONG";

    public static bool IsLong => Environment.GetEnvironmentVariable(LongVariable) is "1" or "true";

    /// <summary>The short-mode or the long-mode size of something.</summary>
    public static int Size(int shortMode, int longMode) => IsLong ? longMode : shortMode;

    /// <summary>A seed for the run's random choices: printed in failures so a run can be repeated with SAMSA_CHAOS_SEED.</summary>
    public static int Seed { get; } = int.TryParse(Environment.GetEnvironmentVariable("SAMSA_CHAOS_SEED"), out var seed) ? seed : Random.Shared.Next();
}
