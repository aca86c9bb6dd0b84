using Microsoft.Extensions.Options;

namespace Samsa.DependencyInjection;

/// <summary>
/// A named cluster's options seen as <see cref="IOptions{TOptions}"/>, so the gate, the health probe and the clients take
/// them as they take the default cluster's. Read on each access, not at construction, so a validation failure surfaces
/// where the default cluster's would.
/// </summary>
internal sealed class NamedOptions<TOptions>(IOptionsMonitor<TOptions> monitor, string name) : IOptions<TOptions>
    where TOptions : class
{
    /// <inheritdoc />
    public TOptions Value => monitor.Get(name);
}
