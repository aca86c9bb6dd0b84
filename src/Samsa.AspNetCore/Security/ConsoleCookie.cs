using Microsoft.AspNetCore.Authentication.Cookies;

namespace Samsa.AspNetCore.Security;

/// <summary>
/// The console's sign-in: a browser cannot send an API-key header on a page load, so the console's sign-in form takes
/// the key once and this cookie (HTTP-only, SameSite=Strict) carries the key's identity and scopes afterwards. Never
/// a redirect: an unauthenticated call is 401 and a missing scope 403, as for a key.
/// </summary>
internal static class ConsoleCookie
{
    public const string SchemeName = "Samsa.Console";
    public const string CookieName = "samsa-console";

    public static void Configure(CookieAuthenticationOptions options)
    {
        options.Cookie.Name = CookieName;
        options.Cookie.HttpOnly = true;
        options.Cookie.SameSite = SameSiteMode.Strict;
        options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.ExpireTimeSpan = TimeSpan.FromHours(8);
        options.SlidingExpiration = true;
        options.Events.OnRedirectToLogin = context =>
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        };
        options.Events.OnRedirectToAccessDenied = context =>
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        };
    }

    /// <summary>True when the request carries the console's cookie (so a forged cross-site request could ride on it).</summary>
    public static bool IsPresent(HttpRequest request) => request.Cookies.ContainsKey(CookieName);
}
