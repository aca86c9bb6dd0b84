using System.Collections;

namespace Samsa.Configuration;

/// <summary>
/// Where Samsa reads <c>KAFKA_*</c> variables from. The process environment in a service; a dictionary in
/// tests, so they never change the real environment and can run in parallel.
/// </summary>
internal interface IEnvironmentVariableSource
{
    /// <summary>Every variable, by name.</summary>
    IEnumerable<KeyValuePair<string, string>> GetVariables();
}

/// <summary>The variables of the current process.</summary>
internal sealed class ProcessEnvironmentVariableSource : IEnvironmentVariableSource
{
    /// <summary>The single instance.</summary>
    public static ProcessEnvironmentVariableSource Instance { get; } = new();

    private ProcessEnvironmentVariableSource()
    {
    }

    /// <inheritdoc />
    public IEnumerable<KeyValuePair<string, string>> GetVariables()
    {
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && entry.Value is string value)
            {
                yield return new(name, value);
            }
        }
    }
}

/// <summary>A fixed set of variables.</summary>
/// <param name="variables">The variables, by name.</param>
internal sealed class DictionaryEnvironmentVariableSource(IReadOnlyDictionary<string, string> variables) : IEnvironmentVariableSource
{
    /// <inheritdoc />
    public IEnumerable<KeyValuePair<string, string>> GetVariables() => variables;
}
