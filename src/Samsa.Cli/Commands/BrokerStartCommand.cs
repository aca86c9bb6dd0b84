using System.CommandLine;
using Microsoft.Extensions.Logging;
using Samsa.Broker;
using Samsa.Broker.Security;

namespace Samsa.Cli.Commands;

/// <summary><c>samsa broker start</c>: runs Samsa.Broker in the foreground until Ctrl+C or SIGTERM.</summary>
internal static class BrokerStartCommand
{
    public static Command Create(CliContext context)
    {
        var dataDir = new Option<string?>("--data-dir") { Description = "Directory for logs and metadata; omit to keep everything in memory." };
        var port = new Option<int>("--port") { Description = "Port of node 0 (node i listens on port + i); 0 picks free ports.", DefaultValueFactory = _ => 9092 };
        var nodes = new Option<int>("--nodes") { Description = "Number of broker nodes in this process.", DefaultValueFactory = _ => 1 };
        var host = new Option<string>("--host") { Description = "Address to bind and advertise.", DefaultValueFactory = _ => BrokerDefaults.Host };
        var autoCreate = new Option<bool>("--auto-create-topics") { Description = "Create unknown topics on first use (off by default, as in production)." };
        var partitions = new Option<int>("--default-partitions") { Description = "Partitions of auto-created topics (num.partitions).", DefaultValueFactory = _ => BrokerDefaults.DefaultPartitions };
        var replication = new Option<short>("--default-replication-factor") { Description = "Replication factor used when a request asks for the default.", DefaultValueFactory = _ => BrokerDefaults.DefaultReplicationFactor };
        var config = new Option<string[]>("--config", "-c") { Description = "Broker-wide topic config default, NAME=VALUE (e.g. log.retention.ms=3600000). Repeatable.", AllowMultipleArgumentsPerToken = false };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log connections and requests." };
        var securityProtocol = new Option<string>("--security-protocol") { Description = "Listener security protocol: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL.", DefaultValueFactory = _ => "PLAINTEXT" };
        var sslCert = new Option<string?>("--ssl-cert") { Description = "PEM file with the server certificate (then any intermediates), for SSL and SASL_SSL." };
        var sslKey = new Option<string?>("--ssl-key") { Description = "PEM file with the server certificate's private key; omit when --ssl-cert holds it." };
        var saslMechanism = new Option<string[]>("--sasl-mechanism") { Description = "Enabled SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512. Repeatable.", AllowMultipleArgumentsPerToken = false };
        var user = new Option<string[]>("--user") { Description = "SASL user, NAME=PASSWORD (SCRAM credentials are derived at start; the password is not kept). Repeatable.", AllowMultipleArgumentsPerToken = false };
        var authorizer = new Option<bool>("--authorizer") { Description = "Authorize every request against ACLs (managed with CreateAcls/DeleteAcls, kept in --data-dir)." };
        var superUser = new Option<string[]>("--super-user") { Description = "Principal allowed everything (Kafka's super.users), e.g. User:admin. Repeatable; needs --authorizer.", AllowMultipleArgumentsPerToken = false };
        var allowIfNoAcl = new Option<bool>("--allow-everyone-if-no-acl-found") { Description = "Open resources that no ACL names to everyone (Kafka's allow.everyone.if.no.acl.found); needs --authorizer." };

        var command = new Command("start", "Start Samsa.Broker in the foreground; prints the bootstrap servers once it accepts connections.")
        {
            dataDir, port, nodes, host, autoCreate, partitions, replication, config, verbose,
            securityProtocol, sslCert, sslKey, saslMechanism, user, authorizer, superUser, allowIfNoAcl,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new BrokerOptions
            {
                DataDirectory = parse.GetValue(dataDir),
                Port = parse.GetValue(port),
                NodeCount = parse.GetValue(nodes),
                Host = parse.GetValue(host)!,
                AutoCreateTopics = parse.GetValue(autoCreate),
                DefaultPartitions = parse.GetValue(partitions),
                DefaultReplicationFactor = parse.GetValue(replication),
            };
            foreach (var entry in parse.GetValue(config) ?? [])
            {
                var separator = entry.IndexOf('=', StringComparison.Ordinal);
                if (separator <= 0)
                {
                    await context.Error.WriteLineAsync($"--config expects NAME=VALUE, got '{entry}'.").ConfigureAwait(false);
                    return 2;
                }

                options.TopicConfigDefaults[entry[..separator].Trim()] = entry[(separator + 1)..].Trim();
            }

            if (!BrokerSecurityProtocolNames.TryParse(parse.GetValue(securityProtocol), out var protocol))
            {
                await context.Error.WriteLineAsync($"--security-protocol expects one of {string.Join(", ", BrokerSecurityProtocolNames.All)}, got '{parse.GetValue(securityProtocol)}'.").ConfigureAwait(false);
                return 2;
            }

            options.Security.Protocol = protocol;
            options.Security.ServerCertificatePath = parse.GetValue(sslCert);
            options.Security.ServerKeyPath = parse.GetValue(sslKey);
            options.Security.SaslMechanisms.AddRange(parse.GetValue(saslMechanism) ?? []);
            options.Security.EnableAuthorizer = parse.GetValue(authorizer);
            options.Security.SuperUsers.AddRange(parse.GetValue(superUser) ?? []);
            options.Security.AllowEveryoneIfNoAclFound = parse.GetValue(allowIfNoAcl);
            foreach (var entry in parse.GetValue(user) ?? [])
            {
                var separator = entry.IndexOf('=', StringComparison.Ordinal);
                if (separator <= 0 || separator == entry.Length - 1)
                {
                    await context.Error.WriteLineAsync($"--user expects NAME=PASSWORD; one entry has {(separator < 0 ? "no '='" : separator == 0 ? "no name" : "no password")}.").ConfigureAwait(false);
                    return 2;
                }

                options.Security.Users.Add(entry[..separator], entry[(separator + 1)..]);
            }

            var problems = BrokerOptionsValidator.Validate(options);
            if (problems.Count > 0)
            {
                await context.Error.WriteLineAsync("samsa broker start: invalid options:" + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  - " + p))).ConfigureAwait(false);
                return 2;
            }

            using var loggerFactory = LoggerFactory.Create(logging => logging
                .AddSimpleConsole(console =>
                {
                    console.SingleLine = true;
                    console.TimestampFormat = "HH:mm:ss.fff ";
                })
                .SetMinimumLevel(parse.GetValue(verbose) ? LogLevel.Debug : LogLevel.Information));
            await using var broker = await SamsaBroker.StartAsync(options, loggerFactory, cancellationToken).ConfigureAwait(false);
            context.Output.WriteLine($"Samsa.Broker is running ({options.NodeCount} node(s), {(options.DataDirectory is null ? "in memory" : "data in " + Path.GetFullPath(options.DataDirectory))}).");
            context.Output.WriteLine($"bootstrap.servers={broker.BootstrapServers}");
            context.Output.WriteLine($"security.protocol={options.Security.Protocol.ToKafkaName()}");
            context.Output.Flush();

            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
            {
                context.Cancel = true;
                stop.Cancel();
            });
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                context.Output.WriteLine("Stopping Samsa.Broker...");
            }

            return 0;
        });
        return command;
    }
}
