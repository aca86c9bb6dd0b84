using System.Security;

namespace Samsa.ProtocolGenerator;

/// <summary>XML doc comments for generated members, written from the schemas' "about" text.</summary>
public static class Doc
{
    /// <summary>Writes a one-line summary; <paramref name="xml"/> is already escaped.</summary>
    public static void Summary(CodeWriter w, string xml) => w.Line($"/// <summary>{xml}</summary>");

    /// <summary>Schema prose as one escaped sentence: capitalized, ending in a full stop.</summary>
    public static string Sentence(string text)
    {
        var trimmed = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        if (trimmed.Length == 0)
        {
            return trimmed;
        }

        trimmed = char.ToUpperInvariant(trimmed[0]) + trimmed[1..];
        if (!trimmed.EndsWith('.') && !trimmed.EndsWith('?') && !trimmed.EndsWith('!'))
        {
            trimmed += ".";
        }

        return SecurityElement.Escape(trimmed);
    }
}
