using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Samsa.Benchmarks.Broker;

namespace Samsa.Benchmarks.Utils;

/// <summary>
/// RESULT lines (<see cref="BenchResult"/>) for the BenchmarkDotNet suites, from their summaries: each case's mean time
/// over its baseline's in the same run. The baseline is the method marked <c>Baseline = true</c> (RecordBatch: memcpy;
/// fetch sessions: the sessionless full fetch, which also prints its CPU-per-fetch ratios),
/// or, for the group benchmarks, the same method against librdkafka's mock cluster. A ratio above 1 is slower.
/// </summary>
internal static class BenchmarkDotNetResults
{
    public static void Print(IEnumerable<Summary> summaries)
    {
        foreach (var summary in summaries)
        {
            foreach (var report in summary.Reports.Where(r => r.ResultStatistics is not null))
            {
                var benchmark = report.BenchmarkCase;
                var baseline = BaselineOf(summary, benchmark);
                if (baseline is null || ReferenceEquals(baseline, benchmark) || summary[baseline]?.ResultStatistics is not { } baselineStatistics)
                {
                    continue;
                }

                var parameters = benchmark.HasParameters ? "[" + benchmark.Parameters.PrintInfo.Replace(" ", "", StringComparison.Ordinal) + "]" : "";
                var type = benchmark.Descriptor.Type;
                BenchResult.Print(
                    type == typeof(GroupBenchmarks) ? "group"
                        : type == typeof(Protocol.RecordBatchBenchmarks) ? "record-batch"
                        : type == typeof(FetchSessionBenchmarks) ? "fetch-session"
                        : type == typeof(Diagnostics.TelemetryRecordingBenchmarks) ? "telemetry-recording"
                        : type.Name,
                    benchmark.Descriptor.WorkloadMethod.Name + parameters,
                    "mean-time",
                    report.ResultStatistics!.Mean / baselineStatistics.Mean);
            }
        }

        FetchSessionBenchmarks.PrintCpuResults();
    }

    private static BenchmarkCase? BaselineOf(Summary summary, BenchmarkCase benchmark)
    {
        if (summary.GetBaseline(summary.GetLogicalGroupKey(benchmark)) is { } marked)
        {
            return marked;
        }

        return benchmark.Parameters.Items.Any(p => p.Name == nameof(GroupBenchmarks.Broker))
            ? summary.BenchmarksCases.FirstOrDefault(c =>
                c.Descriptor == benchmark.Descriptor && c.Parameters[nameof(GroupBenchmarks.Broker)] as string == GroupBenchmarks.Mock)
            : null;
    }
}
