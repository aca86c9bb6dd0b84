using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Samsa.Configuration;
using Samsa.DependencyInjection;
using Samsa.Diagnostics;
using Samsa.Provisioning;

namespace Samsa.Startup;

/// <summary>
/// The fail-fast start-up gate. Before any other hosted service starts (it is registered first and runs in
/// <see cref="StartingAsync"/>), it checks, in order and within <see cref="SamsaKafkaSettings.StartupTimeout"/>:
/// every bootstrap address resolves and accepts TCP; with SSL or SASL_SSL, every bootstrap broker completes a TLS
/// handshake with a trusted, in-date certificate for its name; the cluster accepts the client's login and answers a
/// metadata request; the declared topics are provisioned. The first failure stops the host with one
/// <see cref="KafkaStartupException"/> that names the broker, the check and what to change. Nothing is retried
/// beyond the time limit and nothing falls back; building a client is never taken as being connected.
/// </summary>
internal sealed class KafkaReadinessGate : IHostedLifecycleService
{
    private static readonly TimeSpan RequestTimeoutMargin = TimeSpan.FromSeconds(1);

    private readonly IOptions<KafkaOptions> _options;
    private readonly IOptions<SamsaKafkaSettings> _settings;
    private readonly IKafkaAdminClientFactory _adminClients;
    private readonly TopicProvisioner _provisioner;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    /// <summary>Creates the gate.</summary>
    public KafkaReadinessGate(
        IOptions<KafkaOptions> options,
        IOptions<SamsaKafkaSettings> settings,
        IKafkaAdminClientFactory adminClients,
        TopicProvisioner provisioner,
        TimeProvider timeProvider,
        ILogger<KafkaReadinessGate> logger)
    {
        _options = options;
        _settings = settings;
        _adminClients = adminClients;
        _provisioner = provisioner;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>The named cluster this gate checks, or null for the default one; a failure names it.</summary>
    internal string? Cluster { get; init; }

    /// <summary>The provisioning report of the last successful run, or null before one.</summary>
    public ProvisioningReport? LastReport { get; private set; }

    /// <summary>Runs the checks, unless they have passed already (<c>RunSamsaAsync</c> runs them before the host starts).</summary>
    /// <param name="cancellationToken">Stops the checks.</param>
    public async Task StartingAsync(CancellationToken cancellationToken) => LastReport ??= await RunAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs every check once.</summary>
    /// <returns>What provisioning did.</returns>
    /// <exception cref="KafkaStartupException">A check failed, or the checks ran out of time.</exception>
    /// <exception cref="OptionsValidationException">The options are invalid (normally reported before, by the host's start-up validation).</exception>
    public async Task<ProvisioningReport> RunAsync(CancellationToken cancellationToken = default)
    {
        var options = _options.Value;
        var settings = _settings.Value;
        var hints = new StartupHints(options, _adminClients.Config);
        var started = _timeProvider.GetTimestamp();
        var progress = new StartupProgress();
        KafkaClientErrorRecorder? recorder = null;
        using var deadline = new StepTimeout(settings.StartupTimeout, _timeProvider, cancellationToken);
        try
        {
            var brokers = ParseBootstrap(hints);
            await CheckBrokersAsync(brokers, hints, options, settings, progress, deadline.Token).ConfigureAwait(false);

            recorder = new KafkaClientErrorRecorder();
            using var admin = _adminClients.CreateAdminClient(recorder.Record);
            var cluster = await CheckClusterAsync(admin, recorder, hints, settings, started, progress, deadline.Token).ConfigureAwait(false);
            var report = await ProvisionAsync(admin, recorder, options, hints, settings, started, progress, deadline.Token).ConfigureAwait(false);
            await CheckAuthorizationAsync(admin, recorder, options, hints, settings, started, progress, deadline.Token).ConfigureAwait(false);
            var elapsed = Elapsed(started);
            Log.KafkaStartupChecksPassed(_logger, elapsed, cluster.Nodes.Count, options.Topics.Count);
            return report;
        }
        catch (OperationCanceledException exception) when (deadline.TimedOut && !cancellationToken.IsCancellationRequested)
        {
            throw Failed(TimedOut(progress, hints, settings, recorder, exception));
        }
        catch (KafkaStartupException exception)
        {
            throw Failed(exception);
        }
    }

    private KafkaStartupException Failed(KafkaStartupException exception)
    {
        exception = OnCluster(exception);
        if (_logger.IsEnabled(LogLevel.Error))
        {
            var name = KafkaStartupChecks.Describe(exception.Check);
            var message = exception.Message;
            Log.KafkaStartupCheckFailed(_logger, name, message);
        }

        return exception;
    }

    /// <summary>On a named cluster: "Kafka start-up check failed on cluster `billing`: TCP connect to …", the rest unchanged.</summary>
    private KafkaStartupException OnCluster(KafkaStartupException exception)
    {
        if (Cluster is null)
        {
            return exception;
        }

        var message = exception.Message.StartsWith(KafkaStartupException.Prefix, StringComparison.Ordinal)
            ? exception.Message[KafkaStartupException.Prefix.Length..]
            : exception.Message;
        return new KafkaStartupException(
            exception.Check, exception.Broker, $"Kafka start-up check failed on cluster `{Cluster}`: {message}", exception.IsTransient, exception);
    }

    private static List<BrokerAddress> ParseBootstrap(StartupHints hints)
    {
        var entries = hints.BootstrapServers.Split(',', StringSplitOptions.TrimEntries);
        var brokers = new List<BrokerAddress>();
        foreach (var entry in entries)
        {
            if (!BrokerAddress.TryParse(entry, out var broker, out var error))
            {
                throw new KafkaStartupException(
                    KafkaStartupCheck.BootstrapAddress, entry,
                    $"{KafkaStartupException.Prefix}bootstrap address `{entry}` {error}. {hints.CheckBootstrap}; each entry is host:port, such as broker:9092.");
            }

            brokers.Add(broker);
        }

        return brokers;
    }

    private async Task CheckBrokersAsync(
        List<BrokerAddress> brokers, StartupHints hints, KafkaOptions options, SamsaKafkaSettings settings, StartupProgress progress, CancellationToken cancellationToken)
    {
        var useTls = hints.Protocol is SecurityProtocol.Ssl or SecurityProtocol.SaslSsl;
        using var trust = useTls ? TlsTrust.From(_adminClients.Config) : null;
        if (!useTls)
        {
            Skipped(KafkaStartupCheck.TlsHandshake, () => $"security.protocol is {KafkaSettingCatalog.SecurityProtocol.Format(hints.Protocol)}, without TLS");
        }

        var warningWindow = TimeSpan.FromDays(options.CertificateExpiryWarningDays);
        var probes = brokers.Select(broker => ProbeBrokerAsync(broker, hints, trust, warningWindow, settings, progress, cancellationToken)).ToList();
        try
        {
            await Task.WhenAll(probes).ConfigureAwait(false);
        }
        catch (Exception) when (probes.All(p => p.IsCompleted))
        {
            // Every broker's outcome is looked at below.
        }

        var other = probes.Select(p => p.Exception?.InnerException).FirstOrDefault(e => e is not null and not KafkaStartupException);
        if (other is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(other).Throw();
        }

        var failures = probes
            .Select((probe, index) => (Failure: probe.Exception?.InnerException as KafkaStartupException, Index: index))
            .Where(f => f.Failure is not null)
            .OrderBy(f => f.Failure!.Check)
            .ThenBy(f => f.Index)
            .Select(f => f.Failure!)
            .ToList();
        if (failures.Count == 1)
        {
            throw failures[0];
        }

        if (failures.Count > 1)
        {
            // One message: every broker's problem, then each distinct piece of advice once.
            var first = failures[0];
            var problems = string.Join("; ", failures.Select(f => f.Problem));
            var advice = string.Join(" ", failures.Select(f => f.Advice).OfType<string>().Distinct());
            throw KafkaStartupException.Create(first.Check, first.Broker, problems, advice.Length == 0 ? null : advice, first.IsTransient, first);
        }
    }

    private async Task ProbeBrokerAsync(
        BrokerAddress broker, StartupHints hints, TlsTrust? trust, TimeSpan warningWindow, SamsaKafkaSettings settings, StartupProgress progress, CancellationToken cancellationToken)
    {
        var timeout = settings.BrokerConnectTimeout;
        var started = _timeProvider.GetTimestamp();
        progress.Broker(broker.Text, KafkaStartupCheck.DnsResolution);
        var addresses = await BrokerConnectivityProbe.ResolveAsync(broker, hints, timeout, _timeProvider, cancellationToken).ConfigureAwait(false);
        Passed(KafkaStartupCheck.DnsResolution, broker.Text, Elapsed(started), () => $"resolves to {string.Join(", ", addresses.Select(a => a.ToString()))}");

        progress.Broker(broker.Text, KafkaStartupCheck.TcpConnect);
        var (socket, endPoint, connectMs) = await BrokerConnectivityProbe.ConnectAsync(broker, addresses, hints, timeout, _timeProvider, cancellationToken).ConfigureAwait(false);
        Passed(KafkaStartupCheck.TcpConnect, broker.Text, connectMs, () => $"connected to {endPoint}");
        if (trust is null)
        {
            socket.Dispose();
            progress.BrokerDone(broker.Text);
            return;
        }

        progress.Broker(broker.Text, KafkaStartupCheck.TlsHandshake);
        var handshakeStarted = _timeProvider.GetTimestamp();
        var tls = await BrokerTlsProbe.HandshakeAsync(socket, broker, trust, hints, warningWindow, timeout, _timeProvider, cancellationToken).ConfigureAwait(false);
        if (!trust.VerifyCertificate)
        {
            Log.KafkaTlsVerificationDisabled(_logger, broker.Text, "enable.ssl.certificate.verification=false");
        }

        if (tls.ExpiresSoon)
        {
            var days = (int)Math.Floor((tls.NotAfter - _timeProvider.GetUtcNow()).TotalDays);
            var notAfter = BrokerTlsProbe.Show(tls.NotAfter);
            Log.KafkaCertificateExpiresSoon(_logger, broker.Text, tls.Subject, notAfter, days);
        }

        Passed(KafkaStartupCheck.TlsHandshake, broker.Text, Elapsed(handshakeStarted), () => $"{tls.Protocol}, certificate `{tls.Subject}` valid until {BrokerTlsProbe.Show(tls.NotAfter)}");
        progress.BrokerDone(broker.Text);
    }

    private async Task<DescribeClusterResult> CheckClusterAsync(
        IAdminClient admin, KafkaClientErrorRecorder recorder, StartupHints hints, SamsaKafkaSettings settings, long started, StartupProgress progress, CancellationToken cancellationToken)
    {
        var sasl = hints.Protocol is SecurityProtocol.SaslPlaintext or SecurityProtocol.SaslSsl;
        var check = sasl ? KafkaStartupCheck.Authentication : KafkaStartupCheck.ClusterMetadata;
        var target = $"bootstrap `{hints.BootstrapServers}`";
        progress.Cluster(check, target);
        var requestStarted = _timeProvider.GetTimestamp();
        var describe = admin.DescribeClusterAsync(new DescribeClusterOptions { RequestTimeout = Remaining(settings, started) });
        Observe(describe);
        var first = await Task.WhenAny(describe, recorder.Fatal).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (first != describe)
        {
            throw ClientFailure(recorder.Fatal.Result, null, hints, KafkaStartupCheck.ClusterMetadata);
        }

        DescribeClusterResult cluster;
        try
        {
            cluster = await describe.ConfigureAwait(false);
        }
        catch (KafkaException exception)
        {
            throw ClientFailure(exception.Error, recorder.Last, hints, KafkaStartupCheck.ClusterMetadata, exception);
        }

        var elapsed = Elapsed(requestStarted);
        if (sasl)
        {
            Passed(KafkaStartupCheck.Authentication, target, elapsed, () => $"{hints.SaslIdentity} accepted");
        }
        else
        {
            Skipped(KafkaStartupCheck.Authentication, () => $"security.protocol is {KafkaSettingCatalog.SecurityProtocol.Format(hints.Protocol)}, without SASL");
        }

        if (cluster.Nodes.Count == 0)
        {
            throw new KafkaStartupException(
                KafkaStartupCheck.ClusterMetadata, null,
                $"{KafkaStartupException.Prefix}the cluster ({target}) answered with no brokers. {hints.CheckBootstrap}.", true);
        }

        var controller = cluster.Controller is null ? "unknown" : cluster.Controller.Id.ToString(CultureInfo.InvariantCulture);
        Passed(KafkaStartupCheck.ClusterMetadata, target, elapsed, () => $"cluster {cluster.ClusterId}: {cluster.Nodes.Count} broker(s) ({string.Join(", ", cluster.Nodes.OrderBy(n => n.Id).Select(n => $"{n.Id} at {n.Host}:{n.Port}"))}), controller {controller}");
        return cluster;
    }

    private async Task<ProvisioningReport> ProvisionAsync(
        IAdminClient admin,
        KafkaClientErrorRecorder recorder,
        KafkaOptions options,
        StartupHints hints,
        SamsaKafkaSettings settings,
        long started,
        StartupProgress progress,
        CancellationToken cancellationToken)
    {
        if (options.Topics.Count == 0)
        {
            Skipped(KafkaStartupCheck.TopicProvisioning, () => "no topics are declared");
            return new ProvisioningReport([]);
        }

        var target = $"{options.Topics.Count} topic(s) on the cluster (bootstrap `{hints.BootstrapServers}`)";
        progress.Cluster(KafkaStartupCheck.TopicProvisioning, target);
        var provisioningStarted = _timeProvider.GetTimestamp();
        ProvisioningReport report;
        try
        {
            report = await _provisioner.ProvisionAsync(admin, options, Remaining(settings, started), cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException exception)
        {
            throw ClientFailure(exception.Error, recorder.Last, hints, KafkaStartupCheck.TopicProvisioning, exception);
        }

        if (report.HasErrors)
        {
            var errors = report.Errors;
            throw new KafkaStartupException(
                KafkaStartupCheck.TopicProvisioning, null,
                $"{KafkaStartupException.Prefix}topic provisioning on the cluster (bootstrap `{hints.BootstrapServers}`) found {errors.Count} problem(s). " +
                string.Join(" ", errors.Select(e => e.Message)));
        }

        Passed(KafkaStartupCheck.TopicProvisioning, target, Elapsed(provisioningStarted), () =>
            string.Join(", ", report.Topics.Select(t => $"{t.Topic} {t.Outcome.ToString().ToLowerInvariant()}")) +
            (report.Warnings.Count == 0 ? string.Empty : $" ({report.Warnings.Count} warning(s))"));
        return report;
    }

    private async Task CheckAuthorizationAsync(
        IAdminClient admin,
        KafkaClientErrorRecorder recorder,
        KafkaOptions options,
        StartupHints hints,
        SamsaKafkaSettings settings,
        long started,
        StartupProgress progress,
        CancellationToken cancellationToken)
    {
        var requirements = options.AccessRequirements;
        if (requirements.Count == 0)
        {
            Skipped(KafkaStartupCheck.Authorization, () => "no consumer or mapped publisher topic needs a permission");
            return;
        }

        var target = $"the cluster (bootstrap `{hints.BootstrapServers}`)";
        progress.Cluster(KafkaStartupCheck.Authorization, target);
        var checkStarted = _timeProvider.GetTimestamp();
        AuthorizationProbe.Outcome outcome;
        try
        {
            outcome = await AuthorizationProbe.CheckAsync(admin, requirements, Remaining(settings, started), cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException exception)
        {
            throw ClientFailure(exception.Error, recorder.Last, hints, KafkaStartupCheck.Authorization, exception);
        }

        if (outcome.Missing.Count > 0)
        {
            var principal = hints.Principal;
            var missing = string.Join("; ", outcome.Missing.Select(m => $"{m.Operation} on {Describe(m)} ({m.NeededBy})"));
            var example = outcome.Missing[0];
            throw new KafkaStartupException(
                KafkaStartupCheck.Authorization, null,
                $"{KafkaStartupException.Prefix}{target} does not allow {principal ?? "the service's principal"} ({hints.Identity}) " +
                $"{outcome.Missing.Count} operation(s) the service needs: {missing}. Grant them with ACLs, for example " +
                $"`kafka-acls.sh --bootstrap-server {hints.BootstrapServers} --add --allow-principal {principal ?? "<principal>"} --operation {example.Operation} " +
                $"--{(example.Resource == KafkaAccessResource.Topic ? "topic" : "group")} {example.Name}`.",
                false);
        }

        Passed(KafkaStartupCheck.Authorization, target, Elapsed(checkStarted), () =>
            $"{outcome.Checked} permission(s) allowed" +
            (outcome.Unchecked.Count == 0 ? string.Empty : $"; not checked: {string.Join(", ", outcome.Unchecked)}"));

        static string Describe(KafkaAccessRequirement requirement) =>
            $"{(requirement.Resource == KafkaAccessResource.Topic ? "topic" : "group")} `{requirement.Name}`";
    }

    /// <summary>Turns a librdkafka error into the check it belongs to and a message that says what to change.</summary>
    private static KafkaStartupException ClientFailure(Error error, Error? last, StartupHints hints, KafkaStartupCheck during, Exception? cause = null)
    {
        var reason = error.Reason.TrimEnd('.');
        if (last is not null && last.Code != error.Code && !string.IsNullOrEmpty(last.Reason))
        {
            reason += $" (last client error: {last.Reason.TrimEnd('.')})";
        }

        var target = $"the cluster (bootstrap `{hints.BootstrapServers}`)";
        var (check, message, transient) = error.Code switch
        {
            ErrorCode.Local_Authentication or ErrorCode.SaslAuthenticationFailed => (
                KafkaStartupCheck.Authentication,
                $"the {hints.SaslIdentity} to {target} was refused: {reason}. {hints.CheckSasl}.",
                false),
            ErrorCode.ClusterAuthorizationFailed or ErrorCode.TopicAuthorizationFailed => (
                KafkaStartupCheck.Authentication,
                $"{target} refused a request of this client: {reason}. Grant its user Describe on the cluster and Describe, Create and DescribeConfigs on the declared topics.",
                false),
            ErrorCode.Local_Ssl => (
                KafkaStartupCheck.TlsHandshake,
                $"the client's TLS connection to {target} failed: {reason}. Check {hints.CaSetting}, and `Kafka:SslCertificateLocation` for mutual TLS.",
                false),
            _ => (
                during,
                $"{target} did not answer a {(during == KafkaStartupCheck.TopicProvisioning ? "topic request" : "metadata request")}: {error.Code}: {reason}. " +
                $"The brokers accept TCP connections, so check that {hints.BootstrapSetting}, points at Kafka listeners, and that {hints.SecurityProtocolSetting}, matches them " +
                "(a TLS listener needs SSL or SASL_SSL, a SASL listener SASL_PLAINTEXT or SASL_SSL).",
                true),
        };
        return new KafkaStartupException(check, null, KafkaStartupException.Prefix + message, transient, cause ?? new KafkaException(error));
    }

    private static KafkaStartupException TimedOut(
        StartupProgress progress, StartupHints hints, SamsaKafkaSettings settings, KafkaClientErrorRecorder? recorder, Exception cause)
    {
        var check = progress.Current ?? KafkaStartupCheck.ClusterMetadata;
        var last = recorder?.Last is { } error ? $" Last client error: {error.Code}: {error.Reason.TrimEnd('.')}." : string.Empty;
        var advice = check switch
        {
            KafkaStartupCheck.DnsResolution or KafkaStartupCheck.TcpConnect or KafkaStartupCheck.TlsHandshake => $"{hints.CheckBootstrap}.",
            KafkaStartupCheck.TopicProvisioning or KafkaStartupCheck.Authorization => "The cluster did not answer the topic and group requests in time: it may be overloaded, or without a controller.",
            _ => $"The brokers accept TCP connections but did not answer a Kafka request: check that {hints.BootstrapSetting}, points at Kafka listeners, " +
                $"and that {hints.SecurityProtocolSetting}, matches them (a TLS listener needs SSL or SASL_SSL, a SASL listener SASL_PLAINTEXT or SASL_SSL).",
        };
        return new KafkaStartupException(
            check, null,
            $"{KafkaStartupException.Prefix}the checks did not finish within {StartupHints.Limit(settings.StartupTimeout, nameof(SamsaKafkaSettings.StartupTimeout))}; " +
            $"still running: {progress.Describe()}. {advice}{last}",
            true, cause);
    }

    /// <summary>
    /// The time left, plus a second, as librdkafka's own request limit: the gate's deadline comes first, so running out
    /// of time always gives the same message whichever clock fires.
    /// </summary>
    private TimeSpan Remaining(SamsaKafkaSettings settings, long started)
    {
        var remaining = settings.StartupTimeout - _timeProvider.GetElapsedTime(started);
        return (remaining < TimeSpan.Zero ? TimeSpan.Zero : remaining) + RequestTimeoutMargin;
    }

    private void Passed(KafkaStartupCheck check, string target, long elapsedMs, Func<string> detail)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            var name = KafkaStartupChecks.Describe(check);
            var text = detail();
            Log.KafkaStartupCheckPassed(_logger, name, target, elapsedMs, text);
        }
    }

    private void Skipped(KafkaStartupCheck check, Func<string> reason)
    {
        if (_logger.IsEnabled(LogLevel.Information))
        {
            var name = KafkaStartupChecks.Describe(check);
            var text = reason();
            Log.KafkaStartupCheckSkipped(_logger, name, text);
        }
    }

    private long Elapsed(long started) => (long)_timeProvider.GetElapsedTime(started).TotalMilliseconds;

    /// <summary>A request left behind when the gate gives up still completes later; its failure is observed here.</summary>
    private static void Observe(Task task) =>
        task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
