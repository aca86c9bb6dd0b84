using System.Text.RegularExpressions;

namespace Samsa.Broker.Cluster;

/// <summary>
/// Kafka's version strings as the deprecated <c>message.format.version</c> configs take them
/// (<c>0.10.2</c>, <c>2.8-IV1</c>, <c>3.0</c>): Kafka 3.x validates them and then ignores them.
/// </summary>
internal static partial class MetadataVersions
{
    /// <summary>Null when <paramref name="value"/> names a Kafka release (0.8.0 to 3.x), else why not.</summary>
    public static string? Validate(string value)
    {
        var match = VersionPattern().Match(value.Trim());
        var valid = match.Success && match.Groups["major"].Value switch
        {
            "0" => match.Groups["rest"].Success,
            "1" or "2" or "3" => true,
            _ => false,
        };
        return valid ? null : $"Version `{value}` is not a valid version";
    }

    [GeneratedRegex(@"^(?<major>\d+)\.\d+(?<rest>\.\d+){0,2}(-IV\d+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex VersionPattern();
}
