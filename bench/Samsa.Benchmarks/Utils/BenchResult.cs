using System.Globalization;

namespace Samsa.Benchmarks.Utils;

/// <summary>
/// The machine-readable line every harness prints per ratio it reports, for bench/run.sh to collect:
/// <c>RESULT suite=… case=… metric=… ratio=… target=…</c>. Values carry no spaces; the target is <c>&gt;=x</c>,
/// <c>&lt;=x</c>, or <c>-</c> when the figure is informational (no goal set for it).
/// </summary>
internal static class BenchResult
{
    public static void Print(string suite, string @case, string metric, double ratio, string? target = null) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT suite={Token(suite)} case={Token(@case)} metric={Token(metric)} ratio={ratio:F3} target={target ?? "-"}"));

    private static string Token(string value) => value.Replace(' ', '_');
}
