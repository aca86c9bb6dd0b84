using System.CommandLine;
using Samsa.Cli.Connection;
using Samsa.Configuration;
using Samsa.Consuming.DeadLetter;

namespace Samsa.Cli.DeadLetters;

/// <summary>What both <c>samsa dlq</c> commands need before they touch the cluster: the filter and the settings, or the exit code that stops them.</summary>
internal static class DeadLetterCommandInputs
{
    public static async Task<(ReplayFilter Filter, KafkaOptions Options)?> LoadAsync(ParseResult parse, CliContext context, ReplayFilterOptions filters, ClusterConnectionOptions connection)
    {
        var filter = filters.Build(parse);
        var options = await connection.LoadForClientAsync(parse, context).ConfigureAwait(false);
        return options is null ? null : (filter, options);
    }

    /// <summary>A dead-letter topic that is missing or cannot be read to its end: reported, and a finding.</summary>
    public static bool IsReadFailure(Exception exception) => exception is ReplayException or TimeoutException;
}
