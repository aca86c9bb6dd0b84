using System.CommandLine;
using System.CommandLine.Help;
using Samsa.Cli.Commands;

namespace Samsa.Cli;

/// <summary>The <c>samsa</c> command tree; <see cref="InvokeAsync"/> runs one command line against a context.</summary>
internal static class SamsaCommandLine
{
    /// <summary>The name usage and help show, whatever file started the process (<c>samsa</c>, <c>Samsa.Cli.dll</c>).</summary>
    public const string CommandName = "samsa";

    public static Command Create(CliContext context)
    {
        // A plain command named "samsa" rather than RootCommand, which takes its name from the entry assembly (Samsa.Cli).
        var root = new Command(CommandName, "samsa: run a Kafka-compatible broker for development, and operate Kafka clusters: production-readiness checks, consumer lag, dead-letter replay. Cluster commands read the service's KAFKA_* variables.")
        {
            new HelpOption(),
            new VersionOption(),
        };
        root.Subcommands.Add(BrokerCommand.Create(context));
        root.Subcommands.Add(CheckCommand.Create(context));
        root.Subcommands.Add(LagCommand.Create(context));
        root.Subcommands.Add(DlqCommand.Create(context));
        return root;
    }

    public static async Task<int> InvokeAsync(string[] args, CliContext context, CancellationToken cancellationToken = default)
    {
        var parse = Create(context).Parse(args);
        var exitCode = await parse.InvokeAsync(new InvocationConfiguration { Output = context.Output, Error = context.Error }, cancellationToken).ConfigureAwait(false);

        // System.CommandLine reports a command line it cannot parse with 1, which samsa keeps for findings.
        return parse.Errors.Count > 0 && exitCode == 1 ? CliExitCodes.InvalidInput : exitCode;
    }
}
