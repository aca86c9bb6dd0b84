using System.CommandLine;

namespace Samsa.Cli.Commands;

/// <summary><c>samsa dlq ...</c>: what a dead-letter topic holds, and sending it back.</summary>
internal static class DlqCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("dlq", "Inspect and replay dead-letter topics written by Samsa consumers (<topic>.dlq).");
        command.Subcommands.Add(DlqListCommand.Create(context));
        command.Subcommands.Add(DlqReplayCommand.Create(context));
        return command;
    }
}
