namespace Samsa.AspNetCore.Security;

/// <summary>
/// Who may use the operational HTTP surface (section <c>Operations</c>): the console, lag, dead letters, replay,
/// health details and metrics. Each API key has a name (its identity in logs) and the scopes it grants.
/// </summary>
/// <remarks>
/// Outside Development at least one key is required, or start-up stops with exit code 2 (invalid settings): an
/// operational surface open to anyone who reaches the port is never the default. In Development with no key configured
/// the surface is open, as the sample needs it to be on a laptop.
/// </remarks>
public sealed class OperationsSecurityOptions
{
    /// <summary>The configuration section: <c>Operations</c> (environment variables <c>Operations__ApiKeys__&lt;name&gt;__Key</c>).</summary>
    public const string SectionName = "Operations";

    /// <summary>The API keys, by name.</summary>
    public IDictionary<string, OperationsApiKey> ApiKeys { get; set; } = new Dictionary<string, OperationsApiKey>(StringComparer.Ordinal);
}

/// <summary>One API key of <see cref="OperationsSecurityOptions.ApiKeys"/>.</summary>
public sealed class OperationsApiKey
{
    /// <summary>The secret (at least <see cref="OperationsScopes.MinimumKeyLength"/> characters). Never logged or shown.</summary>
    public string Key { get; set; } = "";

    /// <summary>What the key may do: <c>read</c> (look) and/or <c>replay</c> (change state: replay dead letters).</summary>
    public IList<string> Scopes { get; set; } = [];
}
