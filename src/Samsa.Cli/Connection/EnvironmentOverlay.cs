using Samsa.Configuration;

namespace Samsa.Cli.Connection;

/// <summary>
/// The <c>KAFKA_*</c> variables with a command-line flag laid over one of them, so a flag goes through exactly the
/// parsing and validation the variable does.
/// </summary>
internal sealed class EnvironmentOverlay(IEnvironmentVariableSource inner, IReadOnlyDictionary<string, string> overrides) : IEnvironmentVariableSource
{
    public IEnumerable<KeyValuePair<string, string>> GetVariables()
    {
        foreach (var variable in inner.GetVariables())
        {
            if (!overrides.ContainsKey(variable.Key))
            {
                yield return variable;
            }
        }

        foreach (var variable in overrides)
        {
            yield return variable;
        }
    }
}
