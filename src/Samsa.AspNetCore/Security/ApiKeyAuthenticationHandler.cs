using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Samsa.AspNetCore.Security;

/// <summary>
/// The <c>ApiKey</c> authentication scheme: the key comes in the <c>X-Api-Key</c> header or as
/// <c>Authorization: ApiKey &lt;key&gt;</c> (what Prometheus' <c>authorization</c> block sends). No key: no result, so
/// the request is anonymous; a wrong key: failed (401).
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyStore keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    private const string AuthorizationPrefix = "ApiKey ";

    /// <summary>True when the request presents an API key (either way).</summary>
    public static bool Presents(Microsoft.AspNetCore.Http.HttpRequest request) => Presented(request) is not null;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Presented(Request) is not { } presented)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        return Task.FromResult(keys.Authenticate(presented, SchemeName) is { } principal
            ? AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName))
            : AuthenticateResult.Fail("The API key is not valid."));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "ApiKey";
        return Task.CompletedTask;
    }

    private static string? Presented(Microsoft.AspNetCore.Http.HttpRequest request)
    {
        if (request.Headers[HeaderName] is { Count: > 0 } header && !string.IsNullOrEmpty(header[0]))
        {
            return header[0];
        }

        var authorization = request.Headers.Authorization;
        return authorization.Count > 0 && authorization[0] is { } value && value.StartsWith(AuthorizationPrefix, StringComparison.OrdinalIgnoreCase)
            ? value[AuthorizationPrefix.Length..].Trim()
            : null;
    }
}
