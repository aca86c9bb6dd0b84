using System.Collections.Frozen;

namespace Samsa.AspNetCore.Console;

/// <summary>The console's page, script and style, read once from the assembly's embedded resources.</summary>
internal static class ConsoleAssets
{
    private const string ResourcePrefix = "Samsa.Console.";

    private static readonly FrozenDictionary<string, (byte[] Content, string ContentType)> Files = Load();

    public static (byte[] Content, string ContentType)? Find(string name) => Files.TryGetValue(name, out var file) ? file : null;

    public static string Text(string name) => System.Text.Encoding.UTF8.GetString(Files[name].Content);

    private static FrozenDictionary<string, (byte[], string)> Load()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        var files = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var name = resource[ResourcePrefix.Length..];
            files[name] = (buffer.ToArray(), ContentType(name));
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };
}
