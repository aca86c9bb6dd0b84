using Samsa.Configuration;
using Spectre.Console;

namespace Samsa.Cli;

/// <summary>
/// What a command reads and writes besides its arguments: the <c>KAFKA_*</c> variables, the output streams and the clock.
/// The process's own in <c>samsa</c>; fixed ones in tests, so commands run in-process and in parallel.
/// </summary>
internal sealed class CliContext
{
    public CliContext(IEnvironmentVariableSource environment, TextWriter output, TextWriter error, TimeProvider timeProvider, bool outputIsTerminal)
    {
        Environment = environment;
        Output = output;
        Error = error;
        TimeProvider = timeProvider;
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Ansi = outputIsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = outputIsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
        });

        // Redirected output has no width; a wide one keeps table rows whole for logs and scripts.
        if (!outputIsTerminal)
        {
            Console.Profile.Width = 240;
        }
    }

    public IEnvironmentVariableSource Environment { get; }

    public TextWriter Output { get; }

    public TextWriter Error { get; }

    public TimeProvider TimeProvider { get; }

    /// <summary>Tables and coloured status over <see cref="Output"/>.</summary>
    public IAnsiConsole Console { get; }

    public static CliContext ForProcess() => new(
        ProcessEnvironmentVariableSource.Instance,
        System.Console.Out,
        System.Console.Error,
        TimeProvider.System,
        !System.Console.IsOutputRedirected);
}
