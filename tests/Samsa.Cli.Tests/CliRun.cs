using Samsa.Configuration;

namespace Samsa.Cli.Tests;

/// <summary>One <c>samsa</c> command line run in-process, with its own variables and captured output.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public static async Task<CliRun> InvokeAsync(IReadOnlyDictionary<string, string> variables, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CliContext(new DictionaryEnvironmentVariableSource(variables), output, error, TimeProvider.System, outputIsTerminal: false);
        var exitCode = await SamsaCommandLine.InvokeAsync(args, context, TestContext.Current.CancellationToken);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Variables for a cluster the tests reach over plain text.</summary>
    public static Dictionary<string, string> Plaintext(string bootstrapServers) => new(StringComparer.Ordinal)
    {
        ["KAFKA_BOOTSTRAP_SERVERS"] = bootstrapServers,
        ["KAFKA_SECURITY_PROTOCOL"] = "PLAINTEXT",
    };

    /// <summary>Variables of a developer reaching a local plain-text broker: the Development profile allows plain text.</summary>
    public static Dictionary<string, string> Development(string bootstrapServers)
    {
        var variables = Plaintext(bootstrapServers);
        variables["DOTNET_ENVIRONMENT"] = "Development";
        return variables;
    }

    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}
