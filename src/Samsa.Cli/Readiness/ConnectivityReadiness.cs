using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Samsa.Configuration;
using Samsa.Startup;

namespace Samsa.Cli.Readiness;

/// <summary>
/// The service's own start-up gate (bootstrap, DNS, TCP, TLS, SASL, cluster metadata), run exactly as the service
/// would run it, with no topics declared so it creates nothing.
/// </summary>
internal static class ConnectivityReadiness
{
    /// <summary>The area of the finding.</summary>
    public const string Area = "connection";

    /// <summary>The check of the finding; when it fails, the cluster did not answer or refused the client.</summary>
    public const string Check = "start-up gate";

    /// <summary>One finding; a failure names the broker and the step, as the service's start-up error would.</summary>
    public static async Task<ReadinessFinding> CheckAsync(IEnvironmentVariableSource variables, string environmentName, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(timeProvider);
        services.AddSingleton(variables);
        services.AddSingleton<IHostEnvironment>(new HostingEnvironment
        {
            EnvironmentName = environmentName,
            ApplicationName = "samsa-cli",
            ContentRootPath = Environment.CurrentDirectory,
        });
        services.AddSamsaKafka(
            new ConfigurationBuilder().Build(),
            configure: options =>
            {
                options.Topics.Clear();
                ProductionReadinessCheck.AllowPlaintext(options);
            },
            configureSettings: settings =>
            {
                settings.StartupTimeout = timeout;

                // One broker may not take longer than the whole check (a --timeout below the default per-broker limit).
                if (settings.BrokerConnectTimeout > timeout)
                {
                    settings.BrokerConnectTimeout = timeout;
                }
                settings.DisableHealthChecks = true;
            });

        await using var provider = services.BuildServiceProvider();
        try
        {
            await provider.GetRequiredService<KafkaReadinessGate>().RunAsync(cancellationToken).ConfigureAwait(false);
            return ReadinessFinding.Pass(Area, Check, "bootstrap servers resolve and accept TCP; TLS and SASL (when configured) succeed; the cluster answers metadata");
        }
        catch (KafkaStartupException exception)
        {
            return ReadinessFinding.Fail(Area, Check, exception.Message);
        }
    }
}
