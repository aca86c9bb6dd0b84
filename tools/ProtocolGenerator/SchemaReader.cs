using System.Text.Json;

namespace Samsa.ProtocolGenerator;

/// <summary>Reads Kafka message schema files (JSON with // comments) into <see cref="MessageSpec"/>s.</summary>
public static class SchemaReader
{
    private static readonly JsonDocumentOptions Options = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static IReadOnlyList<MessageSpec> ReadDirectory(string directory)
    {
        var files = Directory.GetFiles(directory, "*.json");
        Array.Sort(files, StringComparer.Ordinal);
        return files.Select(ReadFile).ToList();
    }

    public static MessageSpec ReadFile(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path), Options);
        var root = document.RootElement;
        var name = root.GetProperty("name").GetString()!;
        var valid = VersionRange.Parse(GetString(root, "validVersions"));
        var flexible = VersionRange.Parse(GetString(root, "flexibleVersions"));
        short? apiKey = root.TryGetProperty("apiKey", out var key) ? key.GetInt16() : null;
        var unstable = root.TryGetProperty("latestVersionUnstable", out var u) && u.ValueKind == JsonValueKind.True;
        var listeners = root.TryGetProperty("listeners", out var l)
            ? l.EnumerateArray().Select(x => x.GetString()!).ToList()
            : [];
        var fields = ReadFields(root, valid);
        var common = new List<StructSpec>();
        if (root.TryGetProperty("commonStructs", out var structs))
        {
            foreach (var s in structs.EnumerateArray())
            {
                var versions = VersionRange.Parse(GetString(s, "versions") ?? "0+");
                common.Add(new StructSpec(s.GetProperty("name").GetString()!, versions, ReadFields(s, versions)));
            }
        }

        return new MessageSpec(name, root.GetProperty("type").GetString()!, apiKey, valid, flexible, unstable, listeners, fields, common, Path.GetFileName(path));
    }

    private static List<FieldSpec> ReadFields(JsonElement parent, VersionRange parentVersions)
    {
        var result = new List<FieldSpec>();
        if (!parent.TryGetProperty("fields", out var fields))
        {
            return result;
        }

        foreach (var f in fields.EnumerateArray())
        {
            var tagged = VersionRange.Parse(GetString(f, "taggedVersions"));
            var versionsText = GetString(f, "versions");
            var versions = versionsText is null ? tagged : VersionRange.Parse(versionsText);
            int? tag = null;
            if (f.TryGetProperty("tag", out var t))
            {
                tag = t.ValueKind == JsonValueKind.String ? int.Parse(t.GetString()!) : t.GetInt32();
            }

            string? defaultValue = null;
            if (f.TryGetProperty("default", out var d))
            {
                defaultValue = d.ValueKind switch
                {
                    JsonValueKind.String => d.GetString(),
                    JsonValueKind.Null => "null",
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => d.GetRawText(),
                };
            }

            VersionRange? flexibleOverride = f.TryGetProperty("flexibleVersions", out var fv) ? VersionRange.Parse(fv.GetString()) : null;
            var fieldVersions = versions.Intersect(parentVersions);
            List<FieldSpec>? children = f.TryGetProperty("fields", out _) ? ReadFields(f, fieldVersions) : null;
            result.Add(new FieldSpec(
                Name: Naming.Pascal(f.GetProperty("name").GetString()!),
                TypeName: f.GetProperty("type").GetString()!.Trim(),
                Versions: fieldVersions,
                NullableVersions: VersionRange.Parse(GetString(f, "nullableVersions")).Intersect(fieldVersions),
                TaggedVersions: tagged.Intersect(fieldVersions),
                Tag: tag,
                Default: defaultValue,
                Ignorable: f.TryGetProperty("ignorable", out var ig) && ig.ValueKind == JsonValueKind.True,
                FlexibleVersionsOverride: flexibleOverride,
                Fields: children,
                About: GetString(f, "about")));
        }

        return result;
    }

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText() : null;
}
