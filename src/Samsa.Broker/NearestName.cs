namespace Samsa.Broker;

/// <summary>The closest known name to a misspelt one, for "did you mean" in option errors (case-insensitive edit distance).</summary>
internal static class NearestName
{
    /// <summary>The closest candidate, or null when even that one is too far off to be what was meant (over a third of the name changed).</summary>
    public static string? Find(string name, IEnumerable<string> candidates)
    {
        var nearest = candidates.Select(c => (Name: c, Distance: EditDistance(name, c))).MinBy(c => c.Distance);
        return nearest.Name is not null && nearest.Distance <= Math.Max(2, name.Length / 3) ? nearest.Name : null;
    }

    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
