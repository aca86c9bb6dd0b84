using Xunit;

namespace Samsa.TestUtils;

/// <summary>
/// A generated document under the repository: a test compares it with what the generator produces now, and
/// rewrites it instead when <c>SAMSA_WRITE_DOCS=1</c> is set.
/// </summary>
public static class DocFile
{
    /// <summary>Fails, naming the first differing line and <paramref name="regenerateCommand"/>, when the committed file differs from <paramref name="generated"/>.</summary>
    public static void AssertCurrent(string relativePath, string generated, string regenerateCommand)
    {
        var path = Path.Combine(RepositoryPaths.Root, relativePath);
        if (Environment.GetEnvironmentVariable("SAMSA_WRITE_DOCS") == "1")
        {
            File.WriteAllText(path, generated);
            return;
        }

        var committed = File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : null;
        if (committed == generated)
        {
            return;
        }

        var firstDifference = committed is null
            ? "the file does not exist"
            : FirstDifferingLine(committed, generated);
        Assert.Fail($"{relativePath} is stale ({firstDifference}). Regenerate it with: {regenerateCommand}");
    }

    private static string FirstDifferingLine(string committed, string generated)
    {
        var a = committed.Split('\n');
        var b = generated.Split('\n');
        for (var i = 0; i < Math.Max(a.Length, b.Length); i++)
        {
            var left = i < a.Length ? a[i] : "<end of file>";
            var right = i < b.Length ? b[i] : "<end of file>";
            if (left != right)
            {
                return $"line {i + 1} is\n  {left}\nbut the generator writes\n  {right}";
            }
        }

        return "line endings differ";
    }
}
