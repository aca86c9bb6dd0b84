using System.CommandLine;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Samsa.Cli.Connection;
using Samsa.Configuration;
using Spectre.Console;

namespace Samsa.Cli.Commands;

/// <summary>
/// <c>samsa broker user add|remove|list</c>: SCRAM users of a running cluster (KIP-554), through the admin API
/// (AlterUserScramCredentials / DescribeUserScramCredentials), so it works against Samsa.Broker and Kafka alike.
/// The cluster is reached with the service's <c>KAFKA_*</c> settings; the principal needs ALTER (add, remove) or
/// DESCRIBE (list) on the cluster.
/// </summary>
internal static class BrokerUserCommand
{
    private static readonly Dictionary<string, ScramMechanism> s_mechanisms = new(StringComparer.OrdinalIgnoreCase)
    {
        ["SCRAM-SHA-256"] = ScramMechanism.ScramSha256,
        ["SCRAM-SHA-512"] = ScramMechanism.ScramSha512,
    };

    public static Command Create(CliContext context)
    {
        var command = new Command("user", "Manage SCRAM users of a running cluster (AlterUserScramCredentials / DescribeUserScramCredentials).");
        command.Subcommands.Add(CreateAdd(context));
        command.Subcommands.Add(CreateRemove(context));
        command.Subcommands.Add(CreateList(context));
        return command;
    }

    private static Option<string[]> MechanismOption(string description) =>
        new("--mechanism", "-m") { Description = description, AllowMultipleArgumentsPerToken = false };

    private static Command CreateAdd(CliContext context)
    {
        var connection = new ClusterConnectionOptions();
        var name = new Argument<string>("name") { Description = "The user name." };
        var password = new Option<string>("--password", "-p") { Description = "The user's password; it is salted on this machine and never sent.", Required = true };
        var mechanisms = MechanismOption("SCRAM-SHA-256 or SCRAM-SHA-512; repeatable. Default: both.");
        var iterations = new Option<int>("--iterations") { Description = "SCRAM iterations (Kafka accepts 4096 to 16384).", DefaultValueFactory = _ => 8192 };
        var command = new Command("add", "Add a SCRAM user, or change its password. Exit 0: done; 1: the cluster refused; 2: invalid input; 3: unreachable.")
        {
            name, password, mechanisms, iterations,
        };
        connection.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var chosen = await ParseMechanismsAsync(context, parse.GetValue(mechanisms)).ConfigureAwait(false);
            if (chosen is null)
            {
                return CliExitCodes.InvalidInput;
            }

            var user = parse.GetValue(name)!;
            var secret = Encoding.UTF8.GetBytes(parse.GetValue(password)!);
            return await RunAsync(context, connection, parse, async admin =>
            {
                // Kafka allows one change per user in a request: one request per mechanism.
                foreach (var mechanism in chosen)
                {
                    await admin.AlterUserScramCredentialsAsync(
                        [new UserScramCredentialUpsertion { User = user, ScramCredentialInfo = new ScramCredentialInfo { Mechanism = mechanism, Iterations = parse.GetValue(iterations) }, Password = secret }],
                        new AlterUserScramCredentialsOptions { RequestTimeout = connection.Timeout(parse) }).ConfigureAwait(false);
                }

                await context.Output.WriteLineAsync($"user {user}: {string.Join(", ", chosen.Select(Name))} set").ConfigureAwait(false);
                return CliExitCodes.Success;
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static Command CreateRemove(CliContext context)
    {
        var connection = new ClusterConnectionOptions();
        var name = new Argument<string>("name") { Description = "The user name." };
        var mechanisms = MechanismOption("SCRAM-SHA-256 or SCRAM-SHA-512; repeatable. Default: every mechanism the user has.");
        var command = new Command("remove", "Remove a SCRAM user's credentials. Exit 0: done; 1: the cluster refused (e.g. no such user); 2: invalid input; 3: unreachable.")
        {
            name, mechanisms,
        };
        connection.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var given = parse.GetValue(mechanisms) ?? [];
            var chosen = given.Length == 0 ? [] : await ParseMechanismsAsync(context, given).ConfigureAwait(false);
            if (chosen is null)
            {
                return CliExitCodes.InvalidInput;
            }

            var user = parse.GetValue(name)!;
            return await RunAsync(context, connection, parse, async admin =>
            {
                if (chosen.Count == 0)
                {
                    var described = await admin.DescribeUserScramCredentialsAsync([user], new DescribeUserScramCredentialsOptions { RequestTimeout = connection.Timeout(parse) }).ConfigureAwait(false);
                    chosen = described.UserScramCredentialsDescriptions.SelectMany(d => d.ScramCredentialInfos).Select(i => i.Mechanism).ToList();
                }

                foreach (var mechanism in chosen)
                {
                    await admin.AlterUserScramCredentialsAsync(
                        [new UserScramCredentialDeletion { User = user, Mechanism = mechanism }],
                        new AlterUserScramCredentialsOptions { RequestTimeout = connection.Timeout(parse) }).ConfigureAwait(false);
                }

                await context.Output.WriteLineAsync($"user {user}: {string.Join(", ", chosen.Select(Name))} removed").ConfigureAwait(false);
                return CliExitCodes.Success;
            }).ConfigureAwait(false);
        });
        return command;
    }

    private static Command CreateList(CliContext context)
    {
        var connection = new ClusterConnectionOptions();
        var names = new Argument<string[]>("name") { Description = "Users to show; default: every user.", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("list", "List SCRAM users with their mechanisms and iterations (never a secret). Exit 0: done; 1: the cluster refused; 3: unreachable.")
        {
            names,
        };
        connection.AddTo(command);
        command.SetAction(async (parse, cancellationToken) => await RunAsync(context, connection, parse, async admin =>
        {
            var described = await admin.DescribeUserScramCredentialsAsync(parse.GetValue(names) ?? [], new DescribeUserScramCredentialsOptions { RequestTimeout = connection.Timeout(parse) }).ConfigureAwait(false);
            var users = described.UserScramCredentialsDescriptions.OrderBy(d => d.User, StringComparer.Ordinal).ToList();
            if (users.Count == 0)
            {
                context.Console.WriteLine("No SCRAM users.");
                return CliExitCodes.Success;
            }

            var table = new Table().AddColumns("User", "Mechanism", "Iterations");
            foreach (var user in users)
            {
                foreach (var info in user.ScramCredentialInfos)
                {
                    table.AddRow(CliTables.Cells(user.User, Name(info.Mechanism), info.Iterations.ToString(CultureInfo.InvariantCulture)));
                }
            }

            context.Console.Write(table);
            return CliExitCodes.Success;
        }).ConfigureAwait(false));
        return command;
    }

    private static string Name(ScramMechanism mechanism) => s_mechanisms.First(m => m.Value == mechanism).Key;

    private static async Task<List<ScramMechanism>?> ParseMechanismsAsync(CliContext context, string[]? given)
    {
        if (given is null || given.Length == 0)
        {
            return [ScramMechanism.ScramSha256, ScramMechanism.ScramSha512];
        }

        var chosen = new List<ScramMechanism>();
        foreach (var name in given)
        {
            if (!s_mechanisms.TryGetValue(name, out var mechanism))
            {
                await context.Error.WriteLineAsync($"--mechanism expects SCRAM-SHA-256 or SCRAM-SHA-512, got '{name}'.").ConfigureAwait(false);
                return null;
            }

            if (!chosen.Contains(mechanism))
            {
                chosen.Add(mechanism);
            }
        }

        return chosen;
    }

    /// <summary>Loads the settings, builds an admin client and runs <paramref name="action"/>, turning the cluster's refusals into exit codes with Kafka's message.</summary>
    private static async Task<int> RunAsync(CliContext context, ClusterConnectionOptions connection, ParseResult parse, Func<IAdminClient, Task<int>> action)
    {
        var options = await connection.LoadForClientAsync(parse, context).ConfigureAwait(false);
        if (options is null)
        {
            return CliExitCodes.InvalidInput;
        }

        try
        {
            using var admin = new AdminClientBuilder(KafkaClientConfigFactory.CreateAdminClientConfig(options))
                .SetLogHandler((_, _) => { })
                .Build();
            return await action(admin).ConfigureAwait(false);
        }
        catch (AlterUserScramCredentialsException exception)
        {
            foreach (var result in exception.Results.Where(r => r.Error.IsError))
            {
                await context.Error.WriteLineAsync($"user {result.User}: {result.Error.Reason} ({result.Error.Code})").ConfigureAwait(false);
            }

            return CliExitCodes.Findings;
        }
        catch (DescribeUserScramCredentialsException exception)
        {
            foreach (var result in exception.Results.UserScramCredentialsDescriptions.Where(r => r.Error.IsError))
            {
                await context.Error.WriteLineAsync($"user {result.User}: {result.Error.Reason} ({result.Error.Code})").ConfigureAwait(false);
            }

            return CliExitCodes.Findings;
        }
        catch (KafkaException exception)
        {
            await context.Error.WriteLineAsync($"Could not reach {string.Join(",", options.BootstrapServers)}: {exception.Error.Reason} ({exception.Error.Code}).").ConfigureAwait(false);
            return CliExitCodes.Unreachable;
        }
    }
}
