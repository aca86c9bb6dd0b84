using System.Globalization;

namespace Samsa.Diagnostics;

/// <summary>
/// Partition numbers as the strings <c>messaging.destination.partition.id</c> carries, made once for the first
/// <see cref="Cached"/> partitions, so tagging a measurement or span does not format a new string per record.
/// </summary>
internal static class PartitionIds
{
    private const int Cached = 256;

    private static readonly string[] Ids = [.. Enumerable.Range(0, Cached).Select(p => p.ToString(CultureInfo.InvariantCulture))];

    public static string Of(int partition) =>
        (uint)partition < Cached ? Ids[partition] : partition.ToString(CultureInfo.InvariantCulture);
}
