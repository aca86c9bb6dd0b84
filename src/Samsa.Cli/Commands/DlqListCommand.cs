using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Samsa.Cli.Connection;
using Samsa.Cli.DeadLetters;
using Samsa.Consuming.DeadLetter;
using Spectre.Console;

namespace Samsa.Cli.Commands;

/// <summary><c>samsa dlq list TOPIC</c>: the dead letters of a topic, with why they failed and whether they were replayed. Writes nothing.</summary>
internal static class DlqListCommand
{
    public static Command Create(CliContext context)
    {
        var connection = new ClusterConnectionOptions();
        var filters = new ReplayFilterOptions();
        var topic = new Argument<string>("dead-letter-topic") { Description = "The dead-letter topic, e.g. orders.dlq." }.MustBeTopicName();
        var json = new Option<bool>("--json") { Description = "Print the dead letters as JSON instead of a table." };
        var command = new Command("list", $"List the dead letters of a topic (at most {DeadLetterDefaults.MaxListedRecords} are shown; counts cover all). Exit 0: listed; 1: the topic cannot be read; 2: invalid arguments.")
        {
            topic, json,
        };
        filters.AddTo(command);
        connection.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (await DeadLetterCommandInputs.LoadAsync(parse, context, filters, connection).ConfigureAwait(false) is not { } inputs)
            {
                return CliExitCodes.InvalidInput;
            }

            var (filter, options) = inputs;

            DeadLetterListing listing;
            try
            {
                listing = await DeadLetterReplayer.Create(options, context.TimeProvider).ListAsync(parse.GetValue(topic)!, filter, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (DeadLetterCommandInputs.IsReadFailure(exception))
            {
                await context.Error.WriteLineAsync(exception.Message).ConfigureAwait(false);
                return CliExitCodes.Findings;
            }

            if (parse.GetValue(json))
            {
                await context.Output.WriteLineAsync(JsonSerializer.Serialize(listing, CliJson.Options)).ConfigureAwait(false);
            }
            else
            {
                Render(context.Console, listing);
            }

            return CliExitCodes.Success;
        });
        return command;
    }

    private static void Render(IAnsiConsole console, DeadLetterListing listing)
    {
        if (listing.Records.Count > 0)
        {
            var table = new Table().AddColumns("Partition", "Offset", "Original", "Key", "Reason", "Exception", "Attempts", "Last failure", "Replayed");
            foreach (var (record, replayed) in listing.Records)
            {
                table.AddRow(CliTables.Cells(
                    record.Partition.ToString(CultureInfo.InvariantCulture),
                    record.Offset.ToString(CultureInfo.InvariantCulture),
                    $"{record.OriginalTopic}[{record.OriginalPartition}]@{record.OriginalOffset}",
                    record.Key ?? "-",
                    record.Reason ?? "-",
                    record.ExceptionType is null ? "-" : $"{record.ExceptionType}: {record.ExceptionMessage}",
                    record.Attempts.ToString(CultureInfo.InvariantCulture),
                    (record.LastFailure ?? record.DeadLetteredAt).ToString("u", CultureInfo.InvariantCulture),
                    replayed ? "yes" : "no"));
            }

            console.Write(table);
        }

        console.WriteLine($"{listing.DeadLetterTopic}: {listing.Scanned} dead letters, {listing.Matched} match, {listing.Replayed} of them replayed already.");
    }
}
