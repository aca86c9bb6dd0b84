namespace Samsa.Native;

/// <summary>Which clients a librdkafka property applies to (the C/P column of its property table).</summary>
internal enum LibrdkafkaPropertyScope
{
    /// <summary><c>*</c>: every client.</summary>
    All,

    /// <summary><c>C</c>: consumers only.</summary>
    Consumer,

    /// <summary><c>P</c>: producers only.</summary>
    Producer,
}

/// <summary>One row of librdkafka's property table.</summary>
internal sealed record LibrdkafkaProperty(string Name, LibrdkafkaPropertyScope Scope, string? AliasOf, string Range, string Default);

/// <summary>
/// The configuration properties of the librdkafka that is actually loaded, read from the library itself
/// (<c>rd_kafka_conf_properties_show</c>, cross-checked with <c>rd_kafka_conf_dump</c> and
/// <c>rd_kafka_topic_conf_dump</c>), and a name/value check through <c>rd_kafka_conf_set</c>.
/// Nothing here is a hand-kept list of librdkafka names.
/// </summary>
internal sealed class LibrdkafkaPropertyCatalog
{
    /// <summary>Properties whose <c>rd_kafka_conf_set</c> does work beyond storing the value (it loads plugins), so only the name is checked.</summary>
    private static readonly HashSet<string> SideEffectProperties = new(StringComparer.Ordinal) { "plugin.library.paths" };

    private static readonly Lazy<LibrdkafkaPropertyCatalog> SharedCatalog =
        new(() => Load(LibrdkafkaLoader.EnsureLoaded()), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly LibrdkafkaConfigApi _api;

    private LibrdkafkaPropertyCatalog(LibrdkafkaConfigApi api, string libraryVersion, IReadOnlyDictionary<string, LibrdkafkaProperty> properties)
    {
        _api = api;
        LibraryVersion = libraryVersion;
        Properties = properties;
    }

    /// <summary>The catalog of the librdkafka loaded by <see cref="LibrdkafkaLoader.EnsureLoaded"/>.</summary>
    /// <exception cref="LibrdkafkaLoadException">librdkafka could not be loaded or its properties could not be listed.</exception>
    public static LibrdkafkaPropertyCatalog Shared => SharedCatalog.Value;

    /// <summary>The version string of the library the names come from.</summary>
    public string LibraryVersion { get; }

    /// <summary>Every global and topic property, aliases included, by name.</summary>
    public IReadOnlyDictionary<string, LibrdkafkaProperty> Properties { get; }

    /// <summary>Reads the property table of a loaded librdkafka.</summary>
    /// <param name="library">The loaded library.</param>
    /// <param name="extraNameCandidates">More names to probe with <c>rd_kafka_conf_set</c> when the table cannot be printed (aliases are missing from the dumps).</param>
    public static LibrdkafkaPropertyCatalog Load(LibrdkafkaLibrary library, IEnumerable<string>? extraNameCandidates = null)
    {
        LibrdkafkaConfigApi api;
        var properties = new Dictionary<string, LibrdkafkaProperty>(StringComparer.Ordinal);
        try
        {
            api = LibrdkafkaConfigApi.Create(library.Handle);
            var table = api.ShowPropertyTable();
            if (table is not null)
            {
                foreach (var property in ParseTable(table))
                {
                    properties.TryAdd(property.Name, property);
                }
            }

            foreach (var (name, value) in api.DumpGlobal().Concat(api.DumpTopic()))
            {
                properties.TryAdd(name, new LibrdkafkaProperty(name, LibrdkafkaPropertyScope.All, null, string.Empty, value));
            }

            foreach (var name in extraNameCandidates ?? [])
            {
                if (!properties.ContainsKey(name) && api.TrySet(name, string.Empty).Result != LibrdkafkaConfResult.Unknown)
                {
                    properties.Add(name, new LibrdkafkaProperty(name, LibrdkafkaPropertyScope.All, null, string.Empty, string.Empty));
                }
            }
        }
        catch (Exception exception) when (exception is EntryPointNotFoundException or InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            throw new LibrdkafkaLoadException(
                $"Samsa could not list the configuration properties of librdkafka {library.VersionString} ({library.Path}): {exception.Message}", exception);
        }

        if (properties.Count == 0)
        {
            throw new LibrdkafkaLoadException($"librdkafka {library.VersionString} ({library.Path}) reported no configuration properties.");
        }

        return new LibrdkafkaPropertyCatalog(api, library.VersionString, properties);
    }

    /// <summary>
    /// Parses the Markdown table printed by <c>rd_kafka_conf_properties_show</c>:
    /// <c>name | C/P | range | default | importance | description</c>, aliases described as "Alias for `x`".
    /// </summary>
    internal static IReadOnlyList<LibrdkafkaProperty> ParseTable(string table)
    {
        var properties = new List<LibrdkafkaProperty>();
        foreach (var line in table.Split('\n'))
        {
            var cells = line.Split('|');
            if (cells.Length < 6)
            {
                continue;
            }

            var name = cells[0].Trim();
            var scopeCell = cells[1].Trim();
            if (name.Length == 0 || name == "Property" || name.StartsWith('-') || scopeCell is not ("*" or "C" or "P"))
            {
                continue;
            }

            var scope = scopeCell switch
            {
                "C" => LibrdkafkaPropertyScope.Consumer,
                "P" => LibrdkafkaPropertyScope.Producer,
                _ => LibrdkafkaPropertyScope.All,
            };
            var description = string.Join('|', cells[5..]);
            properties.Add(new LibrdkafkaProperty(name, scope, AliasTarget(description), cells[2].Trim(), cells[3].Trim()));
        }

        return properties;
    }

    /// <summary>True when librdkafka knows the name (a property or an alias).</summary>
    public bool Contains(string name) => Properties.ContainsKey(name);

    /// <summary>Asks librdkafka whether <paramref name="name"/> = <paramref name="value"/> would be accepted.</summary>
    public (LibrdkafkaConfResult Result, string Error) Check(string name, string value)
    {
        if (SideEffectProperties.Contains(name))
        {
            return Contains(name) ? (LibrdkafkaConfResult.Ok, string.Empty) : (LibrdkafkaConfResult.Unknown, $"No such configuration property: \"{name}\"");
        }

        return _api.TrySet(name, value);
    }

    private static string? AliasTarget(string description)
    {
        const string marker = "Alias for `";
        var start = description.IndexOf(marker, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += marker.Length;
        var end = description.IndexOf('`', start);
        return end > start ? description[start..end] : null;
    }
}
