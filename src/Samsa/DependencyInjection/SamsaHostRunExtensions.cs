using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Samsa;
using Samsa.Configuration;
using Samsa.Diagnostics;
using Samsa.Startup;

namespace Microsoft.Extensions.Hosting;

/// <summary>Runs a host that uses Samsa so that a failed start-up ends with one log message and an exit code.</summary>
public static class SamsaHostRunExtensions
{
    /// <summary>
    /// Validates the options (<c>ValidateOnStart</c>) and runs the Kafka start-up gate before the host starts, then
    /// runs the host until it stops. A start-up that fails either is logged once, without a stack trace (that is
    /// logged at Debug), and returns <see cref="SamsaExitCodes.InvalidSettings"/> or
    /// <see cref="SamsaExitCodes.StartupCheckFailed"/> instead of throwing: <c>return await app.RunSamsaAsync();</c>.
    /// The host is disposed when this returns, as with <c>RunAsync</c>. Run in-process by a test host
    /// (<c>WebApplicationFactory</c>), whose entry assembly is not the application's, the failure is thrown instead.
    /// </summary>
    /// <param name="host">The built host (or <c>WebApplication</c>).</param>
    /// <param name="cancellationToken">Stops the host.</param>
    /// <returns>The process exit code: <see cref="SamsaExitCodes.Success"/> once the host has stopped normally.</returns>
    public static async Task<int> RunSamsaAsync(this IHost host, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Samsa.Startup");
        (int ExitCode, Exception Cause)? failed;
        try
        {
            failed = await PrepareAsync(host.Services, logger, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await DisposeAsync(host).ConfigureAwait(false);
            throw;
        }

        if (failed is { } failure)
        {
            if (!IsProcessEntryPoint(host.Services))
            {
                // Run in-process by a test host (WebApplicationFactory): it learns of the failure from the exception, as with RunAsync.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure.Cause);
            }

            await DisposeAsync(host).ConfigureAwait(false);
            return failure.ExitCode;
        }

        await host.RunAsync(cancellationToken).ConfigureAwait(false);
        return SamsaExitCodes.Success;
    }

    private static async Task<(int ExitCode, Exception Cause)?> PrepareAsync(IServiceProvider services, ILogger logger, CancellationToken cancellationToken)
    {
        try
        {
            services.GetService<IStartupValidator>()?.Validate();

            // The host runs the gate again as its first hosted service; having passed here, it does not repeat the checks.
            var gate = services.GetService<KafkaReadinessGate>();
            if (gate is not null)
            {
                await gate.StartingAsync(cancellationToken).ConfigureAwait(false);
            }

            foreach (var cluster in services.GetServices<Samsa.DependencyInjection.NamedKafkaCluster>())
            {
                await services.GetRequiredKeyedService<KafkaReadinessGate>(cluster.Name).StartingAsync(cancellationToken).ConfigureAwait(false);
            }

            return null;
        }
        catch (Exception exception) when (InvalidOptions(exception) is { Count: > 0 } invalid)
        {
            foreach (var failure in invalid.Where(f => f.OptionsType != typeof(KafkaOptions)))
            {
                // KafkaOptions problems are logged one by one by its validator already.
                Log.HostSettingsInvalid(logger, failure.OptionsType.Name, failure.Message);
            }

            return (Failed(logger, "its settings are invalid", SamsaExitCodes.InvalidSettings, exception), exception);
        }
        catch (KafkaStartupException exception)
        {
            // The gate has logged the failed check and what to change.
            return (Failed(logger, "a Kafka start-up check failed", SamsaExitCodes.StartupCheckFailed, exception), exception);
        }
    }

    private static int Failed(ILogger logger, string reason, int exitCode, Exception exception)
    {
        Log.HostStartupFailed(logger, reason, exitCode);
        Log.HostStartupFailureDetail(logger, exception);
        return exitCode;
    }

    /// <summary>True when the host is the process's own program, not an application run in-process by a test host.</summary>
    private static bool IsProcessEntryPoint(IServiceProvider services) =>
        services.GetService<IHostEnvironment>()?.ApplicationName is not { } application
        || string.Equals(application, System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name, StringComparison.Ordinal);

    /// <summary>The validation failures in what <see cref="IStartupValidator"/> threw (one exception, or several in an <see cref="AggregateException"/>).</summary>
    private static List<OptionsValidationException> InvalidOptions(Exception exception) => exception switch
    {
        OptionsValidationException single => [single],
        AggregateException aggregate when aggregate.InnerExceptions.All(e => e is OptionsValidationException) =>
            aggregate.InnerExceptions.Cast<OptionsValidationException>().ToList(),
        _ => [],
    };

    private static async ValueTask DisposeAsync(IHost host)
    {
        if (host is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            host.Dispose();
        }
    }
}
