using System.Globalization;

namespace Samsa.Chaos.Tests.Support;

/// <summary>One reading of a process's resident memory, open file descriptors and threads, from /proc (Linux).</summary>
internal readonly record struct ResourceSample(double Seconds, long RssKiB, long RssAnonKiB, int Handles, int Threads)
{
    /// <summary>False when the sample was taken while part of the process was deliberately stopped (a broker node), for fits that compare like with like.</summary>
    public bool Whole { get; init; } = true;

    /// <param name="seconds">When the sample was taken, on the caller's clock.</param>
    public static ResourceSample Read(int processId, double seconds)
    {
        long rss = 0, anon = 0;
        var threads = 0;
        foreach (var line in File.ReadLines($"/proc/{processId}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Number(line);
            }
            else if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
            {
                anon = Number(line);
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = (int)Number(line);
            }
        }

        var handles = Directory.EnumerateFileSystemEntries($"/proc/{processId}/fd").Count();
        return new ResourceSample(seconds, rss, anon, handles, threads);
    }

    private static long Number(string line) =>
        long.Parse(line.Split(' ', '\t').Where(w => w.Length > 0).ElementAt(1), CultureInfo.InvariantCulture);
}

/// <summary>Least-squares fits over resource samples.</summary>
internal static class ResourceTrend
{
    /// <summary>The slope, per minute, of the least-squares line through (sample time, value).</summary>
    public static double SlopePerMinute(IReadOnlyList<ResourceSample> samples, Func<ResourceSample, double> value)
    {
        if (samples.Count < 2)
        {
            return 0;
        }

        var meanX = samples.Average(s => s.Seconds / 60);
        var meanY = samples.Average(value);
        var covariance = samples.Sum(s => ((s.Seconds / 60) - meanX) * (value(s) - meanY));
        var variance = samples.Sum(s => Math.Pow((s.Seconds / 60) - meanX, 2));
        return variance == 0 ? 0 : covariance / variance;
    }
}
