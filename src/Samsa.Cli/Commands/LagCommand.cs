using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;
using Samsa.Cli.Connection;
using Samsa.Monitoring;
using Samsa.Configuration;
using Spectre.Console;

namespace Samsa.Cli.Commands;

/// <summary><c>samsa lag</c>: how far each consumer group is behind, per partition.</summary>
internal static class LagCommand
{
    public static Command Create(CliContext context)
    {
        var connection = new ClusterConnectionOptions();
        var groups = new Option<string[]>("--group-id", "-g") { Description = "A consumer group; repeatable. Default: every consumer group.", AllowMultipleArgumentsPerToken = false };

        // The name before the CLI took the library's vocabulary (GroupId, as the dead-letter commands' --group-id): still accepted, not shown in help.
        var deprecatedGroups = new Option<string[]>("--group") { Description = "Deprecated: --group-id.", AllowMultipleArgumentsPerToken = false, Hidden = true };
        var maxLag = new Option<long?>("--max-lag") { Description = "Exit 1 when any group's total lag is above this (for alerting from cron or CI)." };
        var json = new Option<bool>("--json") { Description = "Print the lag as JSON instead of a table." };
        var command = new Command("lag", "Show consumer group lag: committed offset, end offset and lag per partition, and each group's total. Exit 0: done; 1: a group is above --max-lag; 2: invalid settings; 3: the cluster did not answer.")
        {
            groups, deprecatedGroups, maxLag, json,
        };
        connection.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = await connection.LoadForClientAsync(parse, context).ConfigureAwait(false);
            if (options is null)
            {
                return CliExitCodes.InvalidInput;
            }

            if (!await connection.ReachAsync(parse, context, cancellationToken).ConfigureAwait(false))
            {
                return CliExitCodes.Unreachable;
            }

            List<GroupLag> lag;
            try
            {
                // librdkafka's own log lines would otherwise go to stderr raw (%3|...|ERROR|...); failures surface as KafkaException.
                using var admin = new AdminClientBuilder(KafkaClientConfigFactory.CreateAdminClientConfig(options))
                    .SetLogHandler((_, _) => { })
                    .Build();
                lag = await ConsumerLagReader.ReadAsync(admin, [.. parse.GetValue(groups) ?? [], .. parse.GetValue(deprecatedGroups) ?? []], connection.Timeout(parse)).ConfigureAwait(false);
            }
            catch (KafkaException exception)
            {
                await context.Error.WriteLineAsync($"Could not read consumer lag from {string.Join(",", options.BootstrapServers)}: {exception.Error.Reason} ({exception.Error.Code}).").ConfigureAwait(false);
                return CliExitCodes.Unreachable;
            }

            if (parse.GetValue(json))
            {
                await WriteJsonAsync(context, lag).ConfigureAwait(false);
            }
            else
            {
                Render(context.Console, lag);
            }

            var limit = parse.GetValue(maxLag);
            var above = limit is { } max ? lag.Where(g => g.TotalLag > max).ToList() : [];
            foreach (var group in above)
            {
                await context.Error.WriteLineAsync($"group {group.Group}: lag {group.TotalLag} is above --max-lag {limit}").ConfigureAwait(false);
            }

            return above.Count == 0 ? CliExitCodes.Success : CliExitCodes.Findings;
        });
        return command;
    }

    private static void Render(IAnsiConsole console, List<GroupLag> groups)
    {
        if (groups.Count == 0)
        {
            console.WriteLine("No consumer groups.");
            return;
        }

        var table = new Table().AddColumns("Group", "State", "Topic", "Partition", "Committed", "End", "Lag");
        foreach (var group in groups)
        {
            foreach (var partition in group.Partitions)
            {
                table.AddRow(CliTables.Cells(
                    group.Group,
                    group.State,
                    partition.Topic,
                    partition.Partition.ToString(CultureInfo.InvariantCulture),
                    partition.Committed?.ToString(CultureInfo.InvariantCulture) ?? "-",
                    partition.End.ToString(CultureInfo.InvariantCulture),
                    partition.Lag?.ToString(CultureInfo.InvariantCulture) ?? "-"));
            }
        }

        console.Write(table);
        foreach (var group in groups)
        {
            console.WriteLine($"group {group.Group}: total lag {group.TotalLag} over {group.Partitions.Count} partitions ({group.State}, {group.Members} members)");
        }
    }

    private static async Task WriteJsonAsync(CliContext context, List<GroupLag> groups)
    {
        var document = groups.Select(g => new
        {
            group = g.Group,
            state = g.State,
            members = g.Members,
            totalLag = g.TotalLag,
            partitions = g.Partitions.Select(p => new { topic = p.Topic, partition = p.Partition, committed = p.Committed, end = p.End, lag = p.Lag }),
        });
        await context.Output.WriteLineAsync(JsonSerializer.Serialize(document, CliJson.Options)).ConfigureAwait(false);
    }
}
