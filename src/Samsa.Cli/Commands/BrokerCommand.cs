using System.CommandLine;

namespace Samsa.Cli.Commands;

/// <summary><c>samsa broker ...</c>: the embedded broker as a standalone process.</summary>
internal static class BrokerCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("broker", "Run Samsa.Broker, a Kafka-wire-compatible broker for development and tests.");
        command.Subcommands.Add(BrokerStartCommand.Create(context));
        command.Subcommands.Add(BrokerUserCommand.Create(context));
        return command;
    }
}
