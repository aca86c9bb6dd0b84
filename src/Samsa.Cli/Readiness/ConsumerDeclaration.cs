namespace Samsa.Cli.Readiness;

/// <summary>A consumer the service registers, as <c>--consumer TOPIC:GROUP</c> names it.</summary>
internal sealed record ConsumerDeclaration(string Topic, string Group)
{
    /// <summary>Parses <c>TOPIC:GROUP</c>; null with an error when either part is missing.</summary>
    public static ConsumerDeclaration? Parse(string value, out string? error)
    {
        var separator = value.LastIndexOf(':');
        if (separator <= 0 || separator == value.Length - 1)
        {
            error = $"--consumer `{value}`: expected TOPIC:GROUP, e.g. --consumer orders:billing";
            return null;
        }

        error = null;
        return new ConsumerDeclaration(value[..separator], value[(separator + 1)..]);
    }
}
