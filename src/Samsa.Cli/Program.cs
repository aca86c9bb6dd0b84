using System.CommandLine;
using Samsa.Cli.Commands;

var root = new RootCommand("samsa: run a Kafka-compatible broker for development, and operate Kafka clusters.");
root.Subcommands.Add(BrokerCommand.Create());
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
