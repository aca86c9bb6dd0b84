namespace Samsa.ProtocolGenerator;

/// <summary>One schema file: a request, response, header or data message.</summary>
public sealed record MessageSpec(
    string Name,
    string Type,
    short? ApiKey,
    VersionRange ValidVersions,
    VersionRange FlexibleVersions,
    bool LatestVersionUnstable,
    IReadOnlyList<string> Listeners,
    IReadOnlyList<FieldSpec> Fields,
    IReadOnlyList<StructSpec> CommonStructs,
    string SourceFile);

/// <summary>A named struct: an inline struct field's body, or a common struct.</summary>
public sealed record StructSpec(string Name, VersionRange Versions, IReadOnlyList<FieldSpec> Fields, string? About = null);

/// <summary>One field of a message or struct.</summary>
public sealed record FieldSpec(
    string Name,
    string TypeName,
    VersionRange Versions,
    VersionRange NullableVersions,
    VersionRange TaggedVersions,
    int? Tag,
    string? Default,
    bool Ignorable,
    VersionRange? FlexibleVersionsOverride,
    IReadOnlyList<FieldSpec>? Fields,
    string? About = null)
{
    public bool IsArray => TypeName.StartsWith("[]", StringComparison.Ordinal);

    public string ElementTypeName => IsArray ? TypeName[2..] : TypeName;

    public bool IsStructType => !FieldTypes.IsPrimitive(ElementTypeName);

    public bool IsTagged => Tag is not null;
}

/// <summary>Facts about the primitive types of the schema language.</summary>
public static class FieldTypes
{
    private static readonly HashSet<string> Primitives =
        ["bool", "int8", "int16", "uint16", "int32", "int64", "float64", "uuid", "string", "bytes", "records"];

    public static bool IsPrimitive(string type) => Primitives.Contains(type);
}
