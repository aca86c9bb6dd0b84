using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Samsa.AspNetCore.Security;

namespace Microsoft.Extensions.Hosting;

/// <summary>Registers the security of a Samsa service's operational HTTP surface.</summary>
public static class SamsaOperationsSecurityExtensions
{
    /// <summary>
    /// Binds <see cref="OperationsSecurityOptions"/> (section <c>Operations</c>, validated at start-up: outside
    /// Development a key is required), adds the <c>ApiKey</c> scheme, the console's sign-in cookie, anti-forgery and the
    /// policies <see cref="OperationsPolicies.Read"/> and <see cref="OperationsPolicies.Replay"/>. With no key configured
    /// (Development only) both policies let everyone in.
    /// </summary>
    /// <param name="builder">The application builder.</param>
    /// <returns>The builder.</returns>
    public static IHostApplicationBuilder AddSamsaOperationsSecurity(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<OperationsSecurityOptions>().BindConfiguration(OperationsSecurityOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OperationsSecurityOptions>, OperationsSecurityOptionsValidator>();
        services.AddSingleton<ApiKeyStore>();
        services.AddAuthentication()
            .AddPolicyScheme(OperationsAccess.SchemeName, "Samsa operations", options => options.ForwardDefaultSelector =
                context => ApiKeyAuthenticationHandler.Presents(context.Request) ? ApiKeyAuthenticationHandler.SchemeName : ConsoleCookie.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, configureOptions: null)
            .AddCookie(ConsoleCookie.SchemeName, ConsoleCookie.Configure);
        services.AddAuthorization();
        services.AddOptions<AuthorizationOptions>().Configure<ApiKeyStore>((options, keys) =>
        {
            options.AddPolicy(OperationsPolicies.Read, policy => Require(policy, keys, OperationsScopes.Read, OperationsScopes.Replay));
            options.AddPolicy(OperationsPolicies.Replay, policy => Require(policy, keys, OperationsScopes.Replay));
        });
        services.AddAntiforgery();
        return builder;
    }

    private static void Require(AuthorizationPolicyBuilder policy, ApiKeyStore keys, params string[] scopes)
    {
        policy.AddAuthenticationSchemes(OperationsAccess.SchemeName);
        if (keys.IsEmpty)
        {
            // No key configured: Development only (the validator refuses it elsewhere), where the surface is open.
            policy.RequireAssertion(_ => true);
        }
        else
        {
            policy.RequireAuthenticatedUser().RequireClaim(OperationsScopes.ClaimType, scopes);
        }
    }
}
