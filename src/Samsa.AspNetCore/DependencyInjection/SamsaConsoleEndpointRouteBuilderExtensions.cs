using Samsa.AspNetCore.Console;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Serves the Samsa operations console.</summary>
public static class SamsaConsoleEndpointRouteBuilderExtensions
{
    /// <summary>Where the console is served unless told otherwise.</summary>
    public const string DefaultPath = "/console";

    /// <summary>
    /// Serves the operations console at <paramref name="path"/>: overview (cluster, declared topics, health), consumers
    /// (lag and time lag per partition, rates, stuck partitions), producer, dead letters (browse and replay, dry run
    /// first). Its data comes from the same library parts as the JSON endpoints and <c>samsa</c>. Reading needs
    /// <c>samsa.operations.read</c>, replay <c>samsa.operations.replay</c> and an anti-forgery token; requires
    /// <c>builder.AddSamsaOperationsSecurity()</c> and <c>app.UseAuthentication()</c>/<c>UseAuthorization()</c>.
    /// </summary>
    /// <param name="endpoints">The application.</param>
    /// <param name="path">The console's path; default <see cref="DefaultPath"/>.</param>
    /// <returns>The console's route group (for more conventions).</returns>
    public static RouteGroupBuilder MapSamsaConsole(this IEndpointRouteBuilder endpoints, string path = DefaultPath)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(path);
        return new ConsoleEndpoints(endpoints.ServiceProvider, path.TrimEnd('/')).Map(endpoints);
    }
}
