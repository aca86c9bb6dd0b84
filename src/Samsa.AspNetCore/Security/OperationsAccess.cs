using System.Security.Claims;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;

namespace Samsa.AspNetCore.Security;

/// <summary>Checks made inside endpoints that serve everyone but show more to operators (health details, the console's sign-in).</summary>
public static class OperationsAccess
{
    /// <summary>The authentication scheme of the operational surface: an API key when the request presents one, else the console's cookie.</summary>
    public const string SchemeName = "Samsa.Operations";

    /// <summary>True when the caller of <paramref name="context"/> meets <paramref name="policy"/> (one of <see cref="OperationsPolicies"/>).</summary>
    /// <param name="context">The request.</param>
    /// <param name="policy">The policy name.</param>
    public static async Task<bool> IsAllowedAsync(HttpContext context, string policy)
    {
        ArgumentNullException.ThrowIfNull(context);
        var authenticated = await context.AuthenticateAsync(SchemeName).ConfigureAwait(false);
        var user = authenticated.Succeeded ? authenticated.Principal : new ClaimsPrincipal(new ClaimsIdentity());
        var authorization = context.RequestServices.GetRequiredService<IAuthorizationService>();
        return (await authorization.AuthorizeAsync(user, policy).ConfigureAwait(false)).Succeeded;
    }

    /// <summary>
    /// Makes a state-changing endpoint check the anti-forgery token when the caller is signed in by the console's
    /// cookie (a browser, which another site could drive); a caller with an API-key header is not forgeable that way.
    /// </summary>
    /// <typeparam name="TBuilder">The endpoint builder.</typeparam>
    /// <param name="builder">The endpoint (or group).</param>
    public static TBuilder RequireAntiforgeryForBrowsers<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (!ApiKeyAuthenticationHandler.Presents(http.Request) && ConsoleCookie.IsPresent(http.Request)
                && await ValidateAntiforgeryAsync(http).ConfigureAwait(false) is { } problem)
            {
                return problem;
            }

            return await next(context).ConfigureAwait(false);
        });
        return builder;
    }

    /// <summary>Null when the request's anti-forgery token is valid, else the 400 answer.</summary>
    internal static async Task<IResult?> ValidateAntiforgeryAsync(HttpContext context)
    {
        var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
        if (await antiforgery.IsRequestValidAsync(context).ConfigureAwait(false))
        {
            return null;
        }

        return TypedResults.Problem(
            detail: "The request has no valid anti-forgery token: reload the console and try again.",
            statusCode: StatusCodes.Status400BadRequest,
            title: "Anti-forgery token missing or invalid");
    }
}
