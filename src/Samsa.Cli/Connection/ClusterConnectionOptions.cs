using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Cli.Readiness;
using Samsa.Configuration;
using Samsa.Native;

namespace Samsa.Cli.Connection;

/// <summary>
/// How a command reaches a cluster: the service's own <c>KAFKA_*</c> variables (so an operator checks exactly what
/// the service will use), with <c>--bootstrap-servers</c> over <c>KAFKA_BOOTSTRAP_SERVERS</c> and a profile.
/// </summary>
internal sealed class ClusterConnectionOptions
{
    private const string BootstrapVariable = "KAFKA_BOOTSTRAP_SERVERS";

    public Option<string?> BootstrapServers { get; } = new("--bootstrap-servers", "-b")
    {
        Description = "Brokers to contact (host:port, comma-separated or a JSON list); overrides KAFKA_BOOTSTRAP_SERVERS. Security settings come from the other KAFKA_* variables.",
    };

    public Option<string?> Environment { get; } = new("--environment", "-e")
    {
        Description = "Profile for defaults and validation: Production or Development. Default: DOTNET_ENVIRONMENT, else Production.",
    };

    public Option<int> TimeoutSeconds { get; } = new("--timeout")
    {
        Description = "Seconds to wait for the cluster before giving up.",
        DefaultValueFactory = _ => 30,
    };

    public void AddTo(Command command)
    {
        command.Options.Add(BootstrapServers);
        command.Options.Add(Environment);
        command.Options.Add(TimeoutSeconds);
    }

    public TimeSpan Timeout(ParseResult parse) => TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(TimeoutSeconds)));

    /// <summary>The environment variables the command sees, with the flags laid over them.</summary>
    public IEnvironmentVariableSource Variables(ParseResult parse, CliContext context)
    {
        var bootstrap = parse.GetValue(BootstrapServers);
        return string.IsNullOrWhiteSpace(bootstrap)
            ? context.Environment
            : new EnvironmentOverlay(context.Environment, new Dictionary<string, string>(StringComparer.Ordinal) { [BootstrapVariable] = bootstrap });
    }

    public string EnvironmentName(ParseResult parse, CliContext context) =>
        parse.GetValue(Environment)
        ?? context.Environment.GetVariables().FirstOrDefault(v => v.Key is "DOTNET_ENVIRONMENT" or "ASPNETCORE_ENVIRONMENT").Value
        ?? "Production";

    /// <summary>Binds and validates the settings; every problem is returned, errors and warnings.</summary>
    public (KafkaOptions Options, IReadOnlyList<KafkaConfigurationIssue> Issues) Load(ParseResult parse, CliContext context, Action<KafkaOptions>? configure = null)
    {
        var options = KafkaConfigurationBinder.Load(
            configuration: null,
            Variables(parse, context),
            configure,
            environmentName: EnvironmentName(parse, context),
            applicationName: "samsa-cli");
        var issues = new KafkaOptionsValidator(context.TimeProvider, NullLogger<KafkaOptionsValidator>.Instance).Check(options);
        return (options, issues);
    }

    /// <summary>
    /// Loads the settings for a command that only needs a working client: errors are printed and stop it; warnings
    /// are printed and it goes on. Null when it must stop.
    /// </summary>
    public async Task<KafkaOptions?> LoadForClientAsync(ParseResult parse, CliContext context)
    {
        var (options, issues) = Load(parse, context);
        foreach (var issue in issues.Where(i => i.Severity == KafkaConfigurationSeverity.Warning))
        {
            await context.Error.WriteLineAsync($"warning: {issue.Message}").ConfigureAwait(false);
        }

        var errors = issues.Where(i => i.Severity == KafkaConfigurationSeverity.Error).ToList();
        if (errors.Count > 0)
        {
            await context.Error.WriteLineAsync($"The Kafka settings are invalid ({errors.Count} problem{(errors.Count == 1 ? string.Empty : "s")}):").ConfigureAwait(false);
            foreach (var error in errors)
            {
                await context.Error.WriteLineAsync($"  - {error.Message}").ConfigureAwait(false);
            }

            return null;
        }

        try
        {
            LibrdkafkaLoader.EnsureLoaded();
        }
        catch (LibrdkafkaLoadException exception)
        {
            await context.Error.WriteLineAsync(exception.Message).ConfigureAwait(false);
            return null;
        }

        return options;
    }

    /// <summary>
    /// Runs the service's start-up gate (DNS, TCP, TLS, SASL, metadata), as <c>samsa check</c> does, so a cluster that
    /// is not there is reported at once with the step that failed, not after a client's own timeout. Prints why and
    /// returns false when it fails.
    /// </summary>
    public async Task<bool> ReachAsync(ParseResult parse, CliContext context, CancellationToken cancellationToken)
    {
        var finding = await ConnectivityReadiness.CheckAsync(
            Variables(parse, context), EnvironmentName(parse, context), Timeout(parse), context.TimeProvider, cancellationToken).ConfigureAwait(false);
        if (finding.Status != ReadinessStatus.Fail)
        {
            return true;
        }

        await context.Error.WriteLineAsync(finding.Detail).ConfigureAwait(false);
        return false;
    }
}
