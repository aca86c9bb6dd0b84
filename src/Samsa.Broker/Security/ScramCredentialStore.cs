using System.Text.Json;
using System.Text.Json.Serialization;

namespace Samsa.Broker.Security;

/// <summary>
/// Keeps the SCRAM credential changes made at run time (AlterUserScramCredentials) in one JSON file
/// in the data directory, replaced atomically on each change. Only what Kafka keeps is written: salt,
/// iterations, StoredKey and ServerKey, never a password.
/// </summary>
internal sealed class ScramCredentialStore(string dataDirectory)
{
    public const string FileName = "scram-credentials.json";

    private readonly string _path = Path.Combine(dataDirectory, FileName);

    /// <summary>Whether <paramref name="dataDirectory"/> holds credentials saved by an earlier run.</summary>
    public static bool Exists(string? dataDirectory) => dataDirectory is not null && File.Exists(Path.Combine(dataDirectory, FileName));

    public IReadOnlyList<SavedScramCredential> Load() =>
        File.Exists(_path)
            ? JsonSerializer.Deserialize(File.ReadAllText(_path), ScramCredentialJsonContext.Default.ListSavedScramCredential) ?? throw new InvalidDataException($"{_path} is empty.")
            : [];

    public void Save(IEnumerable<SavedScramCredential> credentials)
    {
        Directory.CreateDirectory(dataDirectory);
        var temp = _path + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(credentials.ToList(), ScramCredentialJsonContext.Default.ListSavedScramCredential));
        File.Move(temp, _path, overwrite: true);
    }
}

/// <summary>
/// One user's credential for one mechanism as last changed at run time; <see cref="Removed"/> when the
/// change deleted it (so a user configured in <see cref="BrokerSecurityOptions.Users"/> stays removed).
/// </summary>
internal sealed record SavedScramCredential(string User, string Mechanism, bool Removed, byte[]? Salt, int Iterations, byte[]? StoredKey, byte[]? ServerKey);

[JsonSerializable(typeof(List<SavedScramCredential>))]
[JsonSourceGenerationOptions(WriteIndented = true)]
internal sealed partial class ScramCredentialJsonContext : JsonSerializerContext;
