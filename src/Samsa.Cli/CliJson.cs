using System.Text.Json;

namespace Samsa.Cli;

/// <summary>The JSON shape of every <c>--json</c> output: indented camelCase, for people and <c>jq</c> alike.</summary>
internal static class CliJson
{
    public static readonly JsonSerializerOptions Options = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
}
