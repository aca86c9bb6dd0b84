using System.Text.Json;
using System.Text.Json.Serialization;

namespace Samsa.Broker.Security.Authorization;

/// <summary>Keeps the ACLs in one JSON file in the data directory, replaced atomically on each change.</summary>
internal sealed class AclStore(string dataDirectory)
{
    public const string FileName = "acls.json";

    private readonly string _path = Path.Combine(dataDirectory, FileName);

    public IReadOnlyList<AclBinding> Load()
    {
        if (!File.Exists(_path))
        {
            return [];
        }

        var saved = JsonSerializer.Deserialize(File.ReadAllText(_path), AclJsonContext.Default.ListAclBinding)
            ?? throw new InvalidDataException($"{_path} is empty.");
        return saved;
    }

    public void Save(IEnumerable<AclBinding> acls)
    {
        Directory.CreateDirectory(dataDirectory);
        var temp = _path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(acls.ToList(), AclJsonContext.Default.ListAclBinding));
        File.Move(temp, _path, overwrite: true);
    }
}

[JsonSerializable(typeof(List<AclBinding>))]
[JsonSourceGenerationOptions(WriteIndented = true, UseStringEnumConverter = true)]
internal sealed partial class AclJsonContext : JsonSerializerContext;
