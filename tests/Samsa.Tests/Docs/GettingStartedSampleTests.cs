using System.Text.RegularExpressions;
using Confluent.Kafka;
using Samsa.TestUtils;

namespace Samsa.Tests.Docs;

/// <summary>
/// Runs samples/GettingStarted (the compiled program of docs/getting-started.md) as a process over real TCP, and checks
/// that the page quotes the sample's files exactly.
/// </summary>
public sealed partial class GettingStartedSampleTests
{
    private const string DocPath = "docs/getting-started.md";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Sample_AgainstABroker_HandlesValidOrdersAndDeadLettersTheInvalidOne()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var kafka = await EmbeddedBroker.StartAsync(options => options.AutoCreateTopics = false);
        using var sample = StartSample("--environment", "Development", "--Kafka:BootstrapServers=" + kafka.BootstrapServers);

        await sample.WaitForOutputAsync("Order o-1 handled", Bound, ct);
        await sample.WaitForOutputAsync("Order o-2 handled", Bound, ct);

        // The invalid order reaches the dead-letter topic, read back with Confluent.Kafka.
        using var consumer = new ConsumerBuilder<string, string>(kafka.ConsumerConfig("getting-started-test")).Build();
        consumer.Subscribe("orders.dlq");
        var deadLetter = consumer.Consume(TimeSpan.FromSeconds(60));
        Assert.NotNull(deadLetter);
        Assert.Equal("o-3", deadLetter.Message.Key);
        Assert.Contains("\"orderId\":\"o-3\"", deadLetter.Message.Value, StringComparison.Ordinal);
        Assert.DoesNotContain("Order o-3 handled", sample.Output, StringComparison.Ordinal);

        Assert.Equal(0, await sample.TerminateAsync(Bound, ct));
    }

    [Fact]
    public async Task Sample_WithoutBootstrapServersInDevelopment_RunsOnItsEmbeddedBroker()
    {
        var ct = TestContext.Current.CancellationToken;
        using var sample = StartSample("--environment", "Development");

        await sample.WaitForOutputAsync("Order o-2 handled", Bound, ct);

        Assert.Equal(0, await sample.TerminateAsync(Bound, ct));
    }

    [Fact]
    public void GettingStartedMd_QuotesTheSampleFilesExactly()
    {
        var page = File.ReadAllText(Path.Combine(RepositoryPaths.Root, DocPath)).ReplaceLineEndings("\n");
        var snippets = Snippet().Matches(page);
        Assert.True(snippets.Count >= 4, $"{DocPath} quotes {snippets.Count} sample files; expected the program, the event, the handler and the generator.");
        foreach (Match snippet in snippets)
        {
            var file = snippet.Groups["file"].Value;
            var source = File.ReadAllText(Path.Combine(RepositoryPaths.Root, file)).ReplaceLineEndings("\n");
            Assert.True(
                source.TrimEnd('\n') == snippet.Groups["code"].Value.TrimEnd('\n'),
                $"{DocPath} quotes an outdated {file}: copy the file into the code block under its snippet marker.");
        }
    }

    private static BackgroundProcess StartSample(params string[] arguments)
    {
        // The sample's build output sits beside this project's (artifacts/bin/<project>/<configuration>).
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var dll = Path.Combine(output.Parent!.Parent!.FullName, "GettingStarted", output.Name, "GettingStarted.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing; tests/Samsa.Tests builds samples/GettingStarted first.");
        var dotnet = ExternalProcess.Find("dotnet") ?? throw new InvalidOperationException("dotnet is not on PATH.");
        return BackgroundProcess.Start(dotnet, [dll, .. arguments]);
    }

    [GeneratedRegex(@"<!-- snippet: (?<file>[^ ]+) -->\n```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex Snippet();
}
