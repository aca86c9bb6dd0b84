using System.Globalization;

namespace Samsa.Benchmarks.Utils;

/// <summary>CPU time and resident memory of a process, read from /proc (Linux).</summary>
internal static class ProcessStats
{
    private static readonly long TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>User + system CPU time of <paramref name="pid"/> and all its threads.</summary>
    public static TimeSpan CpuTime(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // Fields after the command name (which may contain spaces) start after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var utime = long.Parse(fields[11], CultureInfo.InvariantCulture);
        var stime = long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds((utime + stime) / (double)TicksPerSecond);
    }

    /// <summary>
    /// This process's CPU time per thread group, read from /proc/self/task: librdkafka's threads (<c>rdk:*</c>), the
    /// .NET thread pool's workers, the JIT's tiering thread, and every other thread (the main thread, long-running
    /// threads such as a consumer's poll loop) by name. Tells where a difference in CPU per message is spent.
    /// </summary>
    public static Dictionary<string, TimeSpan> CpuTimeByThreadGroup()
    {
        var groups = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(task, "stat"));
            }
            catch (IOException)
            {
                continue; // the thread ended
            }

            var name = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            var group = name.StartsWith("rdk:", StringComparison.Ordinal) ? "librdkafka"
                : name.StartsWith(".NET TP", StringComparison.Ordinal) ? "thread pool"
                : name.StartsWith(".NET Tiered", StringComparison.Ordinal) ? "JIT tiering"
                : name.StartsWith(".NET Long", StringComparison.Ordinal) ? "long-running (poll loop)"
                : "other (main, GC, timers)";
            groups[group] = groups.GetValueOrDefault(group) + TimeSpan.FromSeconds(ticks / (double)TicksPerSecond);
        }

        return groups;
    }

    /// <summary>Resident set size in bytes.</summary>
    public static long ResidentBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kb = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                return kb * 1024;
            }
        }

        return -1;
    }
}
