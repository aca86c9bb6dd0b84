using System.CommandLine;
using System.Text.Json;
using Samsa.Cli.Connection;
using Samsa.Cli.Readiness;
using Spectre.Console;

namespace Samsa.Cli.Commands;

/// <summary><c>samsa check</c>: is this cluster, with these settings, ready for production?</summary>
internal static class CheckCommand
{
    public static Command Create(CliContext context)
    {
        var connection = new ClusterConnectionOptions();
        var topics = new Option<string[]>("--topic", "-t") { Description = "A topic the service uses; repeatable. Default: every topic that is not internal.", AllowMultipleArgumentsPerToken = false }.MustBeTopicNames();
        var consumers = new Option<string[]>("--consumer") { Description = "A consumer the service registers, as TOPIC:GROUP; repeatable. Checks the ACLs it needs: READ on the topic and the group, READ and WRITE on its retry topics, WRITE on its dead-letter topic.", AllowMultipleArgumentsPerToken = false };
        var publisherTopics = new Option<string[]>("--publisher-topic") { Description = "A topic the service's publisher writes to; repeatable. Checks WRITE on it.", AllowMultipleArgumentsPerToken = false }.MustBeTopicNames();
        consumers.Validators.Add(result =>
        {
            foreach (var value in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (ConsumerDeclaration.Parse(value, out var error) is not { } consumer)
                {
                    result.AddError(error!);
                }
                else if (Samsa.Provisioning.TopicNameRules.Explain(consumer.Topic) is { } explanation)
                {
                    result.AddError($"--consumer `{value}`: {explanation}");
                }
            }
        });
        var strict = new Option<bool>("--strict") { Description = "Warnings fail the check too." };
        var json = new Option<bool>("--json") { Description = "Print the findings as JSON instead of a table." };
        var command = new Command("check", "Check a Kafka cluster and the service's KAFKA_* settings against the production setup (SASL_SSL with SCRAM-SHA-512, acks=all with idempotence, 3 replicas with 2 in sync, 6-12 partitions) and, for the consumers and publisher topics named, the ACLs the service needs. Exit 0: ready; 1: a check failed; 2: invalid arguments; 3: the cluster did not answer or refused the client.")
        {
            topics, consumers, publisherTopics, strict, json,
        };
        connection.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (_, issues) = connection.Load(parse, context);
            var (clusterOptions, clusterIssues) = connection.Load(parse, context, ProductionReadinessCheck.AllowPlaintext);
            var findings = await ProductionReadinessCheck.RunAsync(
                issues,
                clusterOptions,
                clusterIssues,
                connection.Variables(parse, context),
                connection.EnvironmentName(parse, context),
                parse.GetValue(topics) ?? [],
                [.. (parse.GetValue(consumers) ?? []).Select(value => ConsumerDeclaration.Parse(value, out _)!)],
                parse.GetValue(publisherTopics) ?? [],
                connection.Timeout(parse),
                context.TimeProvider,
                cancellationToken).ConfigureAwait(false);

            var failed = findings.Count(f => f.Status == ReadinessStatus.Fail);
            var warned = findings.Count(f => f.Status == ReadinessStatus.Warn);
            var ready = failed == 0 && (!parse.GetValue(strict) || warned == 0);
            if (parse.GetValue(json))
            {
                await WriteJsonAsync(context, findings, ready).ConfigureAwait(false);
            }
            else
            {
                Render(context.Console, findings, ready);
            }

            if (findings.Any(f => f is { Area: ConnectivityReadiness.Area, Check: ConnectivityReadiness.Check, Status: ReadinessStatus.Fail }))
            {
                return CliExitCodes.Unreachable;
            }

            return ready ? CliExitCodes.Success : CliExitCodes.Findings;
        });
        return command;
    }

    private static void Render(IAnsiConsole console, List<ReadinessFinding> findings, bool ready)
    {
        var table = new Table().AddColumns("Area", "Check", "Result", "Detail");
        foreach (var finding in findings)
        {
            table.AddRow(
                new Text(finding.Area),
                new Text(finding.Check),
                new Markup(finding.Status switch
                {
                    ReadinessStatus.Pass => "[green]PASS[/]",
                    ReadinessStatus.Warn => "[yellow]WARN[/]",
                    ReadinessStatus.Fail => "[red]FAIL[/]",
                    _ => "[grey]SKIP[/]",
                }),
                new Text(finding.Detail));
        }

        console.Write(table);
        var passed = findings.Count(f => f.Status == ReadinessStatus.Pass);
        var warned = findings.Count(f => f.Status == ReadinessStatus.Warn);
        var failed = findings.Count(f => f.Status == ReadinessStatus.Fail);
        var skipped = findings.Count(f => f.Status == ReadinessStatus.Skipped);
        console.WriteLine($"{passed} passed, {warned} warnings, {failed} failed, {skipped} skipped: {(ready ? "ready for production" : "NOT ready for production")}");
    }

    private static async Task WriteJsonAsync(CliContext context, List<ReadinessFinding> findings, bool ready)
    {
        var document = new
        {
            ready,
            findings = findings.Select(f => new { area = f.Area, check = f.Check, status = f.Status.ToString().ToLowerInvariant(), detail = f.Detail }),
        };
        await context.Output.WriteLineAsync(JsonSerializer.Serialize(document, CliJson.Options)).ConfigureAwait(false);
    }
}
