using Microsoft.AspNetCore.Http.Features;
using Samsa.Provisioning;

namespace Samsa.EventService.Endpoints;

/// <summary>
/// The 400 answer to a <c>{topic}</c> in a path that is not a Kafka topic name (the library's <see cref="TopicNameRules"/>),
/// for every endpoint that takes one.
/// </summary>
internal static class TopicNameProblem
{
    public const string Title = "Invalid topic name";

    /// <summary>The problem for <paramref name="topic"/>, or null when it is a legal topic name.</summary>
    public static IResult? For(string? topic) => TopicNameRules.Explain(topic) is { } explanation
        ? TypedResults.Problem(
            detail: $"{explanation} Use 1 to 249 of the characters a-z, A-Z, 0-9, '.', '_' and '-', other than '.' and '..'.",
            statusCode: StatusCodes.Status400BadRequest,
            title: Title)
        : null;

    /// <summary>
    /// A topic segment of <c>.</c> or <c>..</c> (also percent-encoded) never reaches an endpoint: Kestrel removes dot segments
    /// from the path before routing, so <c>POST /events/..</c> would become <c>POST /</c>. This looks at the path as the
    /// client sent it and answers 400 for a dot segment where one of <paramref name="prefixes"/> (<c>/events</c>,
    /// <c>/dlq</c>) expects a topic.
    /// </summary>
    public static IApplicationBuilder UseDotSegmentTopicCheck(this IApplicationBuilder app, params string[] prefixes) =>
        app.Use(async (context, next) =>
        {
            if (DotSegmentTopic(context.Features.Get<IHttpRequestFeature>()?.RawTarget, prefixes) is { } topic)
            {
                await For(topic)!.ExecuteAsync(context);
                return;
            }

            await next(context);
        });

    /// <summary><c>.</c> or <c>..</c> when the raw target's segment after one of <paramref name="prefixes"/> is a dot segment, else null.</summary>
    internal static string? DotSegmentTopic(string? rawTarget, IEnumerable<string> prefixes)
    {
        if (string.IsNullOrEmpty(rawTarget) || rawTarget[0] != '/')
        {
            return null;
        }

        var path = rawTarget.AsSpan();
        if (path.IndexOf('?') is var query and >= 0)
        {
            path = path[..query];
        }

        foreach (var prefix in prefixes)
        {
            if (!path.StartsWith(prefix + "/", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var rest = path[(prefix.Length + 1)..];
            var segment = rest.IndexOf('/') is var slash and >= 0 ? rest[..slash] : rest;
            var decoded = Uri.UnescapeDataString(segment.ToString());
            if (decoded is "." or "..")
            {
                return decoded;
            }
        }

        return null;
    }
}
