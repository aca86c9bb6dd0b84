using Samsa.ProtocolGenerator;
using Samsa.TestUtils;

namespace Samsa.Protocol.Tests.Generated;

public class GeneratedCodeIsCurrentTests
{
    [Fact]
    public void Generate_FromSchemas_MatchesCommittedOutput()
    {
        var reference = RepositoryPaths.ProtocolReference;
        var committedRoot = Path.Combine(RepositoryPaths.Root, "src", "Samsa.Protocol", "Generated");
        var expected = Generator.Generate(reference);
        var stale = new List<string>();
        foreach (var (relative, content) in expected)
        {
            var path = Path.Combine(committedRoot, relative);
            if (!File.Exists(path))
            {
                stale.Add($"missing: {relative}");
            }
            else if (File.ReadAllText(path) != content)
            {
                stale.Add($"differs: {relative}");
            }
        }

        foreach (var path in Directory.GetFiles(committedRoot, "*.g.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(committedRoot, path).Replace('\\', '/');
            if (!expected.ContainsKey(relative))
            {
                stale.Add($"extra: {relative}");
            }
        }

        Assert.True(
            stale.Count == 0,
            $"src/Samsa.Protocol/Generated is stale; run `dotnet run --project tools/ProtocolGenerator` from the repository root.\n{string.Join('\n', stale.Take(20))}");
    }
}
