using System.Globalization;

namespace Samsa.Broker.Storage;

/// <summary>
/// Names of the files in a partition directory. Segment files are named by their base offset,
/// zero-padded to 20 digits, as Kafka names them, so a directory listing sorts by offset.
/// </summary>
internal static class LogFileNames
{
    public const string LogSuffix = ".log";
    public const string IndexSuffix = ".index";
    public const string TimeIndexSuffix = ".timeindex";

    /// <summary>Written on a clean close, deleted at open: its absence means the last run crashed.</summary>
    public const string CleanShutdown = ".clean_shutdown";

    /// <summary>The log start offset, when DeleteRecords, retention or truncation moved it.</summary>
    public const string LogStartOffsetCheckpoint = "log-start-offset.checkpoint";

    /// <summary>Where compaction writes a segment's replacement files before they are complete.</summary>
    public const string CleanedSuffix = ".cleaned";

    /// <summary>A segment's complete replacement <c>.log</c>, waiting to take the place of the old one (finished by recovery after a crash).</summary>
    public const string SwapSuffix = ".swap";

    /// <summary>The first offset compaction has not cleaned yet (Kafka's cleaner-offset-checkpoint, per partition).</summary>
    public const string CleanerCheckpoint = "cleaner-offset.checkpoint";

    public static string Log(long baseOffset) => Format(baseOffset) + LogSuffix;

    public static string Index(long baseOffset) => Format(baseOffset) + IndexSuffix;

    public static string TimeIndex(long baseOffset) => Format(baseOffset) + TimeIndexSuffix;

    /// <summary>Parses <c>00000000000000000042.log</c> (with <paramref name="suffix"/> <c>.log</c>) as 42.</summary>
    public static bool TryParseBaseOffset(string fileName, string suffix, out long baseOffset)
    {
        baseOffset = -1;
        if (!fileName.EndsWith(suffix, StringComparison.Ordinal) || fileName.Length != 20 + suffix.Length)
        {
            return false;
        }

        return long.TryParse(fileName.AsSpan(0, 20), NumberStyles.None, CultureInfo.InvariantCulture, out baseOffset);
    }

    private static string Format(long baseOffset) => baseOffset.ToString("D20", CultureInfo.InvariantCulture);
}
