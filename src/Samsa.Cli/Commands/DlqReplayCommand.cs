using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Samsa.Cli.Connection;
using Samsa.Cli.DeadLetters;
using Samsa.Consuming.DeadLetter;
using Spectre.Console;

namespace Samsa.Cli.Commands;

/// <summary>
/// <c>samsa dlq replay TOPIC</c>: sends the selected dead letters back to their original topics. Each replay is
/// recorded in the topic's replay ledger, so running the command again does not send anything twice.
/// </summary>
internal static class DlqReplayCommand
{
    public static Command Create(CliContext context)
    {
        var connection = new ClusterConnectionOptions();
        var filters = new ReplayFilterOptions();
        var topic = new Argument<string>("dead-letter-topic") { Description = "The dead-letter topic, e.g. orders.dlq." }.MustBeTopicName();
        var dryRun = new Option<bool>("--dry-run") { Description = "Show what would be replayed; write nothing." };
        var rate = new Option<double?>("--rate") { Description = "At most this many records per second." };
        var max = new Option<int?>("--max") { Description = "Replay at most this many records." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON instead of a table." };
        var command = new Command("replay", "Replay dead letters to their original topics, all or those the filters select; already-replayed records are skipped. Exit 0: done; 1: a record could not be replayed or the topic cannot be read; 2: invalid arguments.")
        {
            topic, dryRun, rate, max, json,
        };
        filters.AddTo(command);
        connection.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(rate) is <= 0 || parse.GetValue(max) is <= 0)
            {
                await context.Error.WriteLineAsync("--rate and --max must be positive.").ConfigureAwait(false);
                return CliExitCodes.InvalidInput;
            }

            if (await DeadLetterCommandInputs.LoadAsync(parse, context, filters, connection).ConfigureAwait(false) is not { } inputs)
            {
                return CliExitCodes.InvalidInput;
            }

            var (filter, options) = inputs;

            ReplayResult result;
            try
            {
                result = await DeadLetterReplayer.Create(options, context.TimeProvider).ReplayAsync(
                    new ReplayOptions
                    {
                        DeadLetterTopic = parse.GetValue(topic)!,
                        Filter = filter,
                        DryRun = parse.GetValue(dryRun),
                        MaxRecordsPerSecond = parse.GetValue(rate),
                        MaxRecords = parse.GetValue(max),
                    },
                    cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (DeadLetterCommandInputs.IsReadFailure(exception))
            {
                await context.Error.WriteLineAsync(exception.Message).ConfigureAwait(false);
                return CliExitCodes.Findings;
            }

            if (parse.GetValue(json))
            {
                await context.Output.WriteLineAsync(JsonSerializer.Serialize(result, CliJson.Options)).ConfigureAwait(false);
            }
            else
            {
                Render(context.Console, result);
            }

            return result.Unreplayable == 0 ? CliExitCodes.Success : CliExitCodes.Findings;
        });
        return command;
    }

    private static void Render(IAnsiConsole console, ReplayResult result)
    {
        if (result.Records.Count > 0)
        {
            var table = new Table().AddColumns("Dead letter", "Key", "Exception", result.DryRun ? "Would go to" : "Replayed to");
            foreach (var record in result.Records)
            {
                table.AddRow(CliTables.Cells(
                    $"{result.DeadLetterTopic}[{record.DeadLetter.Partition}]@{record.DeadLetter.Offset}",
                    record.DeadLetter.Key ?? "-",
                    record.DeadLetter.ExceptionType ?? "-",
                    result.DryRun ? record.TargetTopic : $"{record.TargetTopic}[{record.TargetPartition}]@{record.TargetOffset}"));
            }

            console.Write(table);
        }

        var verb = result.DryRun ? "would replay" : "replayed";
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.DeadLetterTopic}: {result.Scanned} dead letters, {result.Matched} match; {verb} {result.Replayed}, {result.AlreadyReplayed} replayed before, {result.Unreplayable} cannot be replayed{(result.Truncated ? " (stopped at --max)" : string.Empty)}."));
    }
}
