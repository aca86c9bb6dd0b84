using System.CommandLine;
using System.CommandLine.Parsing;
using Samsa.Provisioning;

namespace Samsa.Cli;

/// <summary>Topic names on the command line are checked with the library's rule (<see cref="TopicNameRules"/>): a bad one is exit 2, before any connection.</summary>
internal static class CliTopicNames
{
    public static Argument<string> MustBeTopicName(this Argument<string> argument)
    {
        argument.Validators.Add(result => Check(result, result.GetValueOrDefault<string>()));
        return argument;
    }

    public static Option<string[]> MustBeTopicNames(this Option<string[]> option)
    {
        option.Validators.Add(result =>
        {
            foreach (var topic in result.GetValueOrDefault<string[]>() ?? [])
            {
                Check(result, topic);
            }
        });
        return option;
    }

    private static void Check(SymbolResult result, string? topic)
    {
        if (TopicNameRules.Explain(topic) is { } explanation)
        {
            result.AddError(explanation);
        }
    }
}
