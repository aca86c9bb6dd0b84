using System.CommandLine;
using Samsa.Cli.Commands;

namespace Samsa.Cli;

/// <summary>The <c>samsa</c> command tree; <see cref="InvokeAsync"/> runs one command line against a context.</summary>
internal static class SamsaCommandLine
{
    public static RootCommand Create(CliContext context)
    {
        var root = new RootCommand("samsa: run a Kafka-compatible broker for development, and operate Kafka clusters: production-readiness checks, consumer lag, dead-letter replay. Cluster commands read the service's KAFKA_* variables.");
        root.Subcommands.Add(BrokerCommand.Create(context));
        root.Subcommands.Add(CheckCommand.Create(context));
        root.Subcommands.Add(LagCommand.Create(context));
        root.Subcommands.Add(DlqCommand.Create(context));
        return root;
    }

    public static Task<int> InvokeAsync(string[] args, CliContext context, CancellationToken cancellationToken = default) =>
        Create(context).Parse(args).InvokeAsync(new InvocationConfiguration { Output = context.Output, Error = context.Error }, cancellationToken);
}
