using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Xml.Linq;
using Microsoft.Extensions.Logging.Abstractions;
using Samsa.Configuration;

namespace Samsa.Tests.Docs;

/// <summary>
/// Writes docs/configuration.md from the settings registry (<see cref="KafkaSettingCatalog.All"/>): each setting's
/// configuration key, <c>KAFKA_*</c> variable, type, default per profile, whether the validator requires it,
/// the librdkafka property it sets, and the description from the options' XML doc comments.
/// </summary>
internal static class ConfigurationReference
{
    public const string RelativePath = "docs/configuration.md";

    public static string Generate()
    {
        var descriptions = LoadDescriptions();
        var requiredInProduction = RequiredSettings(KafkaProfile.Production, "Production");
        var requiredInDevelopment = RequiredSettings(KafkaProfile.Development, "Development");
        var defaults = new KafkaOptions();

        var md = new StringBuilder();
        md.Append("""
            <!-- Generated from src/Samsa/Configuration/KafkaSettingCatalog.cs by tests/Samsa.Tests/Docs/ConfigurationReference.cs. Do not edit. -->
            <!-- Regenerate: SAMSA_WRITE_DOCS=1 dotnet test tests/Samsa.Tests --filter "FullyQualifiedName~ConfigurationReferenceTests" -->
            # Configuration reference

            Every setting Samsa reads, in the order it documents them. A setting comes from the `Kafka` configuration section
            (`appsettings.json`, `Kafka__Producer__BatchSize` variables, any other configuration provider), then from its
            `KAFKA_*` environment variable, then from the code delegate of `AddSamsaKafka`; a later source wins.

            A second (named) cluster takes the same settings under `Kafka:Clusters:<name>` and reads no `KAFKA_*` variables;
            see [clusters.md](clusters.md).

            The **profile** (`Kafka:Profile`) picks the defaults. Without one the host environment decides: `Development` gets
            the Development profile, every other environment the Production profile, so a forgotten setting fails safe.
            A dash means Samsa leaves the property to librdkafka's own default (or, for Samsa-only settings, unset).

            **Required** lists the profiles in which start-up validation fails while the setting is missing
            (with no other settings given). Anything librdkafka accepts that is not listed here can be passed through
            `Kafka:Properties` (all clients), `Kafka:Producer:Properties`, `Kafka:Consumer:Properties` or `Kafka:Admin:Properties`.


            """.Replace("\r", "", StringComparison.Ordinal));
        md.Append("| Key | Variable | Type | Production default | Development default | Required | librdkafka | Description |\n");
        md.Append("|---|---|---|---|---|---|---|---|\n");
        foreach (var setting in KafkaSettingCatalog.All)
        {
            var property = PropertyOf(setting);
            var required = new List<string>();
            if (requiredInProduction.Contains(setting.SectionKey))
            {
                required.Add("Production");
            }

            if (requiredInDevelopment.Contains(setting.SectionKey))
            {
                required.Add("Development");
            }

            var range = property.GetCustomAttribute<RangeAttribute>();
            var type = setting.Expected + (range is null ? "" : string.Create(CultureInfo.InvariantCulture, $", {range.Minimum} to {range.Maximum}"));
            var librdkafka = setting.LibrdkafkaName is null ? "(Samsa only)" : string.Join(", ", setting.EquivalentNames.Select(n => $"`{n}`"));
            var description = descriptions.TryGetValue(XmlName(property), out var text) ? text : "";
            md.Append(CultureInfo.InvariantCulture, $"| `{setting.SectionKey}` | `{setting.EnvironmentVariable}` | {Cell(type)} | {Default(setting, KafkaProfile.Production, defaults)} | {Default(setting, KafkaProfile.Development, defaults)} | {(required.Count == 0 ? "no" : string.Join(", ", required))} | {librdkafka} | {Cell(description)} |\n");
        }

        return md.ToString();
    }

    private static string Default(KafkaSetting setting, KafkaProfile profile, KafkaOptions defaults)
    {
        var value = KafkaValueResolver.ProfileDefault(setting, profile) ?? setting.Get(defaults);
        return value is null ? "-" : $"`{Cell(setting.Format(value))}`";
    }

    /// <summary>Section keys the validator reports as errors when nothing is set, for a profile in an environment.</summary>
    private static HashSet<string> RequiredSettings(KafkaProfile profile, string environment)
    {
        var options = new KafkaOptions { Profile = profile, HostEnvironmentName = environment };
        var validator = new KafkaOptionsValidator(TimeProvider.System, NullLogger<KafkaOptionsValidator>.Instance);
        return validator.Check(options)
            .Where(issue => issue.Severity == KafkaConfigurationSeverity.Error)
            .Select(issue => issue.Setting)
            .ToHashSet(StringComparer.Ordinal);
    }

    private static PropertyInfo PropertyOf(KafkaSetting setting)
    {
        var owner = typeof(KafkaOptions);
        if (setting.Group.Length > 0)
        {
            owner = owner.GetProperty(setting.Group)!.PropertyType;
        }

        return owner.GetProperty(setting.Name) ?? throw new InvalidOperationException($"{setting.SectionKey} has no property {owner.Name}.{setting.Name}.");
    }

    private static string XmlName(PropertyInfo property) => $"P:{property.DeclaringType!.FullName}.{property.Name}";

    /// <summary>Summaries of the Samsa library's members, from the XML documentation file built beside it.</summary>
    private static Dictionary<string, string> LoadDescriptions()
    {
        var path = Path.ChangeExtension(typeof(KafkaOptions).Assembly.Location, ".xml");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The Samsa library's XML documentation file {path} is missing; it is built with GenerateDocumentationFile.");
        }

        return XDocument.Load(path).Root!.Element("members")!.Elements("member")
            .Where(member => member.Element("summary") is not null)
            .ToDictionary(member => (string)member.Attribute("name")!, member => ToMarkdown(member.Element("summary")!), StringComparer.Ordinal);
    }

    private static string ToMarkdown(XElement element)
    {
        var text = new StringBuilder();
        foreach (var node in element.Nodes())
        {
            text.Append(node switch
            {
                XText t => t.Value,
                XElement { Name.LocalName: "c" } c => $"`{c.Value}`",
                XElement { Name.LocalName: "see" or "seealso" } see => $"`{ShortName(see)}`",
                XElement { Name.LocalName: "paramref" or "typeparamref" } p => $"`{(string?)p.Attribute("name")}`",
                XElement other => ToMarkdown(other),
                _ => "",
            });
        }

        return string.Join(' ', text.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }

    private static string ShortName(XElement see)
    {
        if ((string?)see.Attribute("langword") is { } word)
        {
            return word;
        }

        var cref = (string?)see.Attribute("cref") ?? see.Value;
        cref = cref.Contains(':', StringComparison.Ordinal) ? cref[(cref.IndexOf(':', StringComparison.Ordinal) + 1)..] : cref;
        var paren = cref.IndexOf('(', StringComparison.Ordinal);
        if (paren >= 0)
        {
            cref = cref[..paren];
        }

        var parts = cref.Split('.');
        return parts.Length >= 2 ? $"{parts[^2]}.{parts[^1]}" : cref;
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
