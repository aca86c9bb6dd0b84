using Spectre.Console;
using Spectre.Console.Rendering;

namespace Samsa.Cli;

/// <summary>Table cells as plain text: topic names, keys and exception messages are data, never Spectre markup.</summary>
internal static class CliTables
{
    public static IEnumerable<IRenderable> Cells(params string?[] values) => values.Select(v => new Text(v ?? string.Empty));
}
