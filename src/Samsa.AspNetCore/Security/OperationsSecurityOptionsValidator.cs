using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Samsa.AspNetCore.Security;

/// <summary>
/// Checks <see cref="OperationsSecurityOptions"/> at start-up: every key long enough and with known scopes, and, outside
/// Development, at least one key. Every problem is listed, naming the setting to change.
/// </summary>
internal sealed class OperationsSecurityOptionsValidator(IHostEnvironment environment) : IValidateOptions<OperationsSecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, OperationsSecurityOptions options)
    {
        var failures = new List<string>();
        foreach (var (keyName, key) in options.ApiKeys)
        {
            var setting = $"{OperationsSecurityOptions.SectionName}:ApiKeys:{keyName}";
            if (key.Key.Length < OperationsScopes.MinimumKeyLength)
            {
                failures.Add($"`{setting}:Key` is {(key.Key.Length == 0 ? "empty" : $"{key.Key.Length} characters long")}: an API key needs at least {OperationsScopes.MinimumKeyLength} characters.");
            }

            if (key.Scopes.Count == 0)
            {
                failures.Add($"`{setting}:Scopes` is empty: give the key `{OperationsScopes.Read}` and/or `{OperationsScopes.Replay}`.");
            }

            foreach (var scope in key.Scopes.Where(s => !OperationsScopes.All.Contains(s, StringComparer.Ordinal)))
            {
                failures.Add($"`{setting}:Scopes` has '{scope}', which is not a scope: use `{OperationsScopes.Read}` or `{OperationsScopes.Replay}`.");
            }
        }

        if (options.ApiKeys.Count == 0 && !environment.IsDevelopment())
        {
            failures.Add(
                $"No operations credential is configured in the '{environment.EnvironmentName}' environment, so the operational endpoints "
                + "(console, lag, dead letters and replay, health details, metrics) would be open to anyone who reaches the port. "
                + $"Add an API key: `{OperationsSecurityOptions.SectionName}:ApiKeys:<name>:Key` (at least {OperationsScopes.MinimumKeyLength} characters) "
                + $"with `Scopes` [`{OperationsScopes.Read}`] or [`{OperationsScopes.Read}`, `{OperationsScopes.Replay}`] "
                + $"(environment: `{OperationsSecurityOptions.SectionName}__ApiKeys__<name>__Key`, `{OperationsSecurityOptions.SectionName}__ApiKeys__<name>__Scopes__0`).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
