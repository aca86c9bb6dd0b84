using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Samsa.Diagnostics;
using Samsa.Native;
using Samsa.Provisioning;

namespace Samsa.Configuration;

/// <summary>
/// Checks <see cref="KafkaOptions"/> before anything connects and reports every problem at once: binding
/// problems (unknown keys, near-miss variables, unparsable values, each with the nearest valid name), ranges,
/// the bootstrap list, unsafe combinations, raw librdkafka properties (checked by the loaded librdkafka) and
/// the TLS files. Errors fail start-up; warnings are logged.
/// </summary>
internal sealed class KafkaOptionsValidator : IValidateOptions<KafkaOptions>
{
    private static readonly KafkaOptionsAnnotationsValidator Annotations = new();

    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Func<LibrdkafkaPropertyCatalog> _catalog;

    /// <summary>Creates the validator; certificate dates are compared with <paramref name="timeProvider"/>.</summary>
    public KafkaOptionsValidator(TimeProvider timeProvider, ILogger<KafkaOptionsValidator> logger)
        : this(timeProvider, logger, () => LibrdkafkaPropertyCatalog.Shared)
    {
    }

    /// <summary>Creates the validator with a given property catalog (tests).</summary>
    internal KafkaOptionsValidator(TimeProvider timeProvider, ILogger? logger, Func<LibrdkafkaPropertyCatalog> catalog)
    {
        _timeProvider = timeProvider;
        _logger = logger ?? NullLogger.Instance;
        _catalog = catalog;
    }

    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, KafkaOptions options)
    {
        // A named cluster's options carry its name; every message says which cluster it is about.
        var cluster = KafkaClusterNames.MessagePrefix(name);
        var issues = Check(options).Select(issue => cluster.Length == 0 ? issue : issue with { Message = cluster + issue.Message }).ToList();
        foreach (var issue in issues)
        {
            if (issue.Severity == KafkaConfigurationSeverity.Warning)
            {
                Log.KafkaConfigurationWarning(_logger, issue.Setting, issue.Message);
            }
            else
            {
                Log.KafkaConfigurationError(_logger, issue.Setting, issue.Message);
            }
        }

        var errors = issues.Where(issue => issue.Severity == KafkaConfigurationSeverity.Error).Select(issue => issue.Message).ToList();
        if (errors.Count > 0)
        {
            return ValidateOptionsResult.Fail(errors);
        }

        if (_logger.IsEnabled(LogLevel.Debug))
        {
            var profile = KafkaValueResolver.ProfileOf(options).ToString();
            var effective = KafkaConfigurationPrinter.Format(options);
            Log.KafkaEffectiveConfiguration(_logger, profile, effective);
        }

        return ValidateOptionsResult.Success;
    }

    /// <summary>Every problem with <paramref name="options"/>, errors and warnings, in a stable order.</summary>
    public IReadOnlyList<KafkaConfigurationIssue> Check(KafkaOptions options)
    {
        var issues = new List<KafkaConfigurationIssue>(options.BindingIssues);
        CheckAnnotations(options, issues);
        CheckBootstrapServers(options, issues);
        CheckChoices(options, issues);
        var protocol = CheckSecurity(options, issues);
        CheckProducer(options, issues);
        CheckConsumer(options, issues);
        CheckRawProperties(options, issues);
        CheckTls(options, protocol, issues);
        TopicDeclarationValidator.Check(options, issues);
        return issues;
    }

    private static void CheckAnnotations(KafkaOptions options, List<KafkaConfigurationIssue> issues)
    {
        var result = Annotations.Validate(null, options);
        if (result.Failed)
        {
            issues.AddRange(result.Failures.Select(failure => KafkaConfigurationIssue.Error(KafkaDefaults.SectionName, WithoutMemberPrefix(failure))));
        }
    }

    /// <summary>The generated validator prefixes "Member: "; <see cref="KafkaRangeAttribute"/> messages already name the key.</summary>
    private static string WithoutMemberPrefix(string failure)
    {
        var separator = failure.IndexOf(": `", StringComparison.Ordinal);
        return separator > 0 && !failure[..separator].Contains(' ', StringComparison.Ordinal) ? failure[(separator + 2)..] : failure;
    }

    private static void CheckBootstrapServers(KafkaOptions options, List<KafkaConfigurationIssue> issues)
    {
        var setting = KafkaSettingCatalog.BootstrapServers;
        if (options.BootstrapServers.Count == 0)
        {
            var raw = KafkaValueResolver.AllRawProperties(options).Any(p => setting.EquivalentNames.Contains(p.Name, StringComparer.Ordinal));
            var alreadyReported = options.BindingIssues.Any(issue =>
                issue.Setting == setting.EnvironmentVariable || issue.Setting.EndsWith(":" + setting.Name, StringComparison.OrdinalIgnoreCase));
            if (!raw && !alreadyReported)
            {
                issues.Add(KafkaConfigurationIssue.Error(setting.SectionKey, $"{setting.Describe()} is required; set {setting.Expected}."));
            }

            return;
        }

        foreach (var entry in options.BootstrapServers)
        {
            var problem = KafkaBootstrapServers.CheckEntry(entry ?? string.Empty);
            if (problem is not null)
            {
                issues.Add(KafkaConfigurationIssue.Error(setting.SectionKey, $"{setting.Describe()} entry `{entry}` {problem}."));
            }
        }
    }

    private static void CheckChoices(KafkaOptions options, List<KafkaConfigurationIssue> issues)
    {
        foreach (var setting in KafkaSettingCatalog.All)
        {
            if (setting.Get(options) is Enum value && !Enum.IsDefined(value.GetType(), value))
            {
                issues.Add(KafkaConfigurationIssue.Error(setting.SectionKey, $"{setting.Describe()} is `{value}`, which is not {setting.Expected}."));
            }
        }
    }

    private static SecurityProtocol CheckSecurity(KafkaOptions options, List<KafkaConfigurationIssue> issues)
    {
        var resolved = KafkaValueResolver.Resolve(options, KafkaSettingCatalog.SecurityProtocol, KafkaClientKinds.All);
        var protocol = resolved.Value as SecurityProtocol? ?? SecurityProtocol.Plaintext;
        var shown = KafkaSettingCatalog.SecurityProtocol.Format(protocol);

        var productionEnvironment = string.Equals(options.HostEnvironmentName, Environments.Production, StringComparison.OrdinalIgnoreCase);
        var productionProfile = KafkaValueResolver.ProfileOf(options) == KafkaProfile.Production;
        if (protocol is SecurityProtocol.Plaintext or SecurityProtocol.SaslPlaintext
            && (productionEnvironment || productionProfile)
            && !options.AllowPlaintextInProduction)
        {
            var where = productionEnvironment ? "the Production environment" : "the Production profile";
            issues.Add(KafkaConfigurationIssue.Error(
                KafkaSettingCatalog.SecurityProtocol.SectionKey,
                $"{KafkaSettingCatalog.SecurityProtocol.Describe()} is {shown} (from {resolved.Origin}) in {where}: messages and credentials would cross the network unencrypted. " +
                $"Use SSL or SASL_SSL, or opt in explicitly with {KafkaSettingCatalog.AllowPlaintextInProduction.Describe()}=true."));
        }

        var sasl = protocol is SecurityProtocol.SaslPlaintext or SecurityProtocol.SaslSsl;
        var mechanism = KafkaValueResolver.Resolve(options, KafkaSettingCatalog.SaslMechanism, KafkaClientKinds.All);
        if (sasl)
        {
            if (mechanism.Value is not SaslMechanism chosen)
            {
                issues.Add(KafkaConfigurationIssue.Error(
                    KafkaSettingCatalog.SaslMechanism.SectionKey,
                    $"{KafkaSettingCatalog.SecurityProtocol.Describe()} is {shown}, but {KafkaSettingCatalog.SaslMechanism.Describe()} is not set " +
                    $"(librdkafka would fall back to GSSAPI/Kerberos); expected {KafkaSettingCatalog.SaslMechanism.Expected}."));
            }
            else if (chosen is SaslMechanism.Plain or SaslMechanism.ScramSha256 or SaslMechanism.ScramSha512)
            {
                foreach (var credential in new[] { KafkaSettingCatalog.SaslUsername, KafkaSettingCatalog.SaslPassword })
                {
                    if (KafkaValueResolver.Resolve(options, credential, KafkaClientKinds.All).Value is not string text || text.Length == 0)
                    {
                        issues.Add(KafkaConfigurationIssue.Error(
                            credential.SectionKey,
                            $"{KafkaSettingCatalog.SecurityProtocol.Describe()} is {shown} with SASL mechanism {KafkaSettingCatalog.SaslMechanism.Format(chosen)} " +
                            $"(from {mechanism.Origin}), but {credential.Describe()} is not set."));
                    }
                }
            }
        }
        else
        {
            foreach (var setting in new[] { KafkaSettingCatalog.SaslMechanism, KafkaSettingCatalog.SaslUsername, KafkaSettingCatalog.SaslPassword })
            {
                if (setting.Get(options) is not null)
                {
                    issues.Add(KafkaConfigurationIssue.Warning(
                        setting.SectionKey,
                        $"{setting.Describe()} is set but {KafkaSettingCatalog.SecurityProtocol.Describe()} is {shown} (from {resolved.Origin}), which does not use SASL; it is ignored."));
                }
            }
        }

        return protocol;
    }

    private static void CheckProducer(KafkaOptions options, List<KafkaConfigurationIssue> issues)
    {
        const KafkaClientKinds producer = KafkaClientKinds.Producer;
        var acks = KafkaValueResolver.Resolve(options, KafkaSettingCatalog.Acks, producer);
        var idempotence = KafkaValueResolver.Resolve(options, KafkaSettingCatalog.EnableIdempotence, producer);
        var acksAll = acks.Value is not Acks value || value == Acks.All;
        var acksShown = acks.Value is null ? "all" : KafkaSettingCatalog.Acks.Format(acks.Value);

        if (idempotence.Value is true && !acksAll)
        {
            issues.Add(KafkaConfigurationIssue.Error(
                KafkaSettingCatalog.EnableIdempotence.SectionKey,
                $"{KafkaSettingCatalog.EnableIdempotence.Describe()} is true (from {idempotence.Origin}) but {KafkaSettingCatalog.Acks.Describe()} is {acksShown} " +
                $"(from {acks.Origin}): idempotence needs acks=all. Set acks to all, or set idempotence to false."));
        }
        else if (!acksAll && idempotence.Source == KafkaValueSource.Unset
            && KafkaValueResolver.ProfileDefault(KafkaSettingCatalog.EnableIdempotence, KafkaValueResolver.ProfileOf(options)) is true)
        {
            issues.Add(KafkaConfigurationIssue.Warning(
                KafkaSettingCatalog.Acks.SectionKey,
                $"{KafkaSettingCatalog.Acks.Describe()} is {acksShown} (from {acks.Origin}), so the {KafkaValueResolver.ProfileOf(options)} profile's enable.idempotence=true is not applied: " +
                "retries may duplicate or reorder messages."));
        }

        // Samsa's producers (the publisher, retries and dead letters, replays) never start transactions, so with a
        // transactional.id every send fails (Local_State). Exactly-once consumers make their own ids.
        var transactional = KafkaValueResolver.Resolve(options, KafkaSettingCatalog.TransactionalId, producer);
        if (transactional.Value is string { Length: > 0 })
        {
            issues.Add(KafkaConfigurationIssue.Error(
                KafkaSettingCatalog.TransactionalId.SectionKey,
                $"{KafkaSettingCatalog.TransactionalId.Describe()} is set (from {transactional.Origin}), but Samsa's publisher and its retry and dead-letter producers " +
                "do not use transactions, so every publish would fail. Remove it. For exactly-once consume-transform-produce set ConsumerOptions.ExactlyOnce = true " +
                "in AddConsumer: each consumer derives its transactional.id from the group, the topic and ConsumerOptions.InstanceId (or set ConsumerOptions.TransactionalId)."));
        }

        var linger = KafkaValueResolver.Resolve(options, KafkaSettingCatalog.LingerMs, producer);
        var delivery = KafkaValueResolver.Resolve(options, KafkaSettingCatalog.DeliveryTimeoutMs, producer);
        if (linger.Value is int lingerMs && delivery.Value is int deliveryMs && deliveryMs > 0 && lingerMs >= deliveryMs)
        {
            issues.Add(KafkaConfigurationIssue.Error(
                KafkaSettingCatalog.LingerMs.SectionKey,
                $"{KafkaSettingCatalog.LingerMs.Describe()} is {lingerMs} ms (from {linger.Origin}) but must be less than {KafkaSettingCatalog.DeliveryTimeoutMs.Describe()}, " +
                $"{deliveryMs} ms (from {delivery.Origin}): every message would time out before its batch is sent."));
        }
    }

    private static void CheckConsumer(KafkaOptions options, List<KafkaConfigurationIssue> issues)
    {
        const KafkaClientKinds consumer = KafkaClientKinds.Consumer;
        var session = KafkaValueResolver.Resolve(options, KafkaSettingCatalog.SessionTimeoutMs, consumer);
        var heartbeat = KafkaValueResolver.Resolve(options, KafkaSettingCatalog.HeartbeatIntervalMs, consumer);
        var maxPoll = KafkaValueResolver.Resolve(options, KafkaSettingCatalog.MaxPollIntervalMs, consumer);
        var fetchMin = KafkaValueResolver.Resolve(options, KafkaSettingCatalog.FetchMinBytes, consumer);
        var fetchMax = KafkaValueResolver.Resolve(options, KafkaSettingCatalog.FetchMaxBytes, consumer);
        var protocol = KafkaValueResolver.Resolve(options, KafkaSettingCatalog.GroupProtocol, consumer);

        if (protocol.Value is GroupProtocol.Consumer)
        {
            // librdkafka refuses these with the consumer protocol: the broker owns them.
            foreach (var (brokerOwned, brokerName) in new[] { (session, "group.consumer.session.timeout.ms"), (heartbeat, "group.consumer.heartbeat.interval.ms") })
            {
                if (brokerOwned.Source is KafkaValueSource.Explicit or KafkaValueSource.Property)
                {
                    var setting = brokerOwned == session ? KafkaSettingCatalog.SessionTimeoutMs : KafkaSettingCatalog.HeartbeatIntervalMs;
                    issues.Add(KafkaConfigurationIssue.Error(
                        setting.SectionKey,
                        $"{setting.Describe()} is set (from {brokerOwned.Origin}) but {KafkaSettingCatalog.GroupProtocol.Describe()} is consumer (from {protocol.Origin}): " +
                        $"with the consumer group protocol the broker decides it ({brokerName}); remove the setting or use group.protocol=classic."));
                }
            }
        }

        if (session.Value is int sessionMs && heartbeat.Value is int heartbeatMs && heartbeatMs >= sessionMs)
        {
            issues.Add(KafkaConfigurationIssue.Error(
                KafkaSettingCatalog.HeartbeatIntervalMs.SectionKey,
                $"{KafkaSettingCatalog.HeartbeatIntervalMs.Describe()} is {heartbeatMs} ms (from {heartbeat.Origin}) but must be less than " +
                $"{KafkaSettingCatalog.SessionTimeoutMs.Describe()}, {sessionMs} ms (from {session.Origin})."));
        }

        if (session.Value is int sessionTimeout && maxPoll.Value is int maxPollMs && maxPollMs < sessionTimeout)
        {
            issues.Add(KafkaConfigurationIssue.Error(
                KafkaSettingCatalog.MaxPollIntervalMs.SectionKey,
                $"{KafkaSettingCatalog.MaxPollIntervalMs.Describe()} is {maxPollMs} ms (from {maxPoll.Origin}) but must be at least " +
                $"{KafkaSettingCatalog.SessionTimeoutMs.Describe()}, {sessionTimeout} ms (from {session.Origin})."));
        }

        if (fetchMin.Value is int minBytes && fetchMax.Value is int maxBytes && minBytes > maxBytes)
        {
            issues.Add(KafkaConfigurationIssue.Error(
                KafkaSettingCatalog.FetchMinBytes.SectionKey,
                $"{KafkaSettingCatalog.FetchMinBytes.Describe()} is {minBytes} (from {fetchMin.Origin}) but must not exceed " +
                $"{KafkaSettingCatalog.FetchMaxBytes.Describe()}, {maxBytes} (from {fetchMax.Origin})."));
        }
    }

    private void CheckRawProperties(KafkaOptions options, List<KafkaConfigurationIssue> issues)
    {
        LibrdkafkaPropertyCatalog? catalog = null;
        try
        {
            // Always loaded, so a wrong librdkafka on the library path is a start-up error like any other.
            catalog = _catalog();
            var path = LibrdkafkaLoader.EnsureLoaded().Path;
            Log.LibrdkafkaLoaded(_logger, catalog.LibraryVersion, path);
        }
        catch (LibrdkafkaLoadException exception)
        {
            issues.Add(KafkaConfigurationIssue.Error("librdkafka", exception.Message));
        }

        foreach (var raw in KafkaValueResolver.AllRawProperties(options))
        {
            if (ConfluentDotnetProperties.IsDotnetName(raw.Name))
            {
                CheckDotnetProperty(raw, issues);
            }
            else if (catalog is not null)
            {
                CheckLibrdkafkaProperty(catalog, raw, issues);
            }

            CheckConflict(options, raw, issues);
        }
    }

    private static void CheckDotnetProperty(KafkaRawProperty raw, List<KafkaConfigurationIssue> issues)
    {
        var known = ConfluentDotnetProperties.For(raw.Map);
        if (known.Contains(raw.Name))
        {
            return;
        }

        var nearest = KafkaNameMatcher.FindNearest(raw.Name, known.Select(name => (name, name)));
        var hint = nearest is null ? $"Confluent.Kafka knows {string.Join(", ", known.Order(StringComparer.Ordinal))}." : $"did you mean `{nearest}`?";
        issues.Add(KafkaConfigurationIssue.Error(raw.Key, $"`{raw.Key}` is not a Confluent.Kafka property for this client; {hint}"));
    }

    private static void CheckLibrdkafkaProperty(LibrdkafkaPropertyCatalog catalog, KafkaRawProperty raw, List<KafkaConfigurationIssue> issues)
    {
        var (result, error) = catalog.Check(raw.Name, raw.Value);
        switch (result)
        {
            case LibrdkafkaConfResult.Unknown:
                issues.Add(KafkaConfigurationIssue.Error(raw.Key, $"`{raw.Key}`: `{raw.Name}` is not a property of librdkafka {catalog.LibraryVersion}; {Suggest(catalog, raw.Name)}"));
                break;
            case LibrdkafkaConfResult.Invalid:
                issues.Add(KafkaConfigurationIssue.Error(
                    raw.Key,
                    $"`{raw.Key}`=`{KafkaConfigurationPrinter.Redact(raw.Name, raw.Value)}` is rejected by librdkafka {catalog.LibraryVersion}: {error}."));
                break;
            default:
                if (catalog.Properties.TryGetValue(raw.Name, out var property))
                {
                    var wrongClient = (raw.Map, property.Scope) switch
                    {
                        (KafkaClientKinds.Producer, LibrdkafkaPropertyScope.Consumer) => "a consumer property; producers ignore it",
                        (KafkaClientKinds.Consumer, LibrdkafkaPropertyScope.Producer) => "a producer property; consumers ignore it",
                        (KafkaClientKinds.Admin, not LibrdkafkaPropertyScope.All) => $"a {property.Scope.ToString().ToUpperInvariant()} property; the admin client ignores it",
                        _ => null,
                    };
                    if (wrongClient is not null)
                    {
                        issues.Add(KafkaConfigurationIssue.Warning(raw.Key, $"`{raw.Key}`: `{raw.Name}` is {wrongClient}."));
                    }
                }

                break;
        }
    }

    /// <summary>"did you mean `batch.size` (the typed setting `Kafka:Producer:BatchSize`)? `max_batch_size` is what aiokafka call it."</summary>
    internal static string Suggest(LibrdkafkaPropertyCatalog catalog, string name)
    {
        var foreign = KafkaForeignPropertyNames.Lookup(name);
        string? nearest;
        var origin = string.Empty;
        if (foreign is not null && catalog.Contains(foreign.Value.Librdkafka))
        {
            nearest = foreign.Value.Librdkafka;
            origin = $" `{name}` is what {foreign.Value.Origin} call it.";
        }
        else
        {
            nearest = KafkaNameMatcher.FindNearest(name, catalog.Properties.Keys.Order(StringComparer.Ordinal).Select(key => (key, key)));
        }

        if (nearest is null)
        {
            return "property names are listed in librdkafka's CONFIGURATION.md.";
        }

        var typed = KafkaSettingCatalog.ByLibrdkafkaName(nearest);
        var typedHint = typed is null ? string.Empty : $" (the typed setting `{typed.SectionKey}`)";
        return $"did you mean `{nearest}`{typedHint}?{origin}";
    }

    private static void CheckConflict(KafkaOptions options, KafkaRawProperty raw, List<KafkaConfigurationIssue> issues)
    {
        var owner = KafkaSettingCatalog.ByLibrdkafkaName(raw.Name);
        if (owner is null || owner.Get(options) is not { } typed)
        {
            return;
        }

        var parsed = owner.Parse(raw.Value).Value;
        if (parsed is not null && owner.Format(parsed) == owner.Format(typed))
        {
            return;
        }

        issues.Add(KafkaConfigurationIssue.Error(
            raw.Key,
            $"`{raw.Key}`=`{KafkaConfigurationPrinter.Redact(raw.Name, raw.Value)}` conflicts with {owner.Describe()}=`{owner.Show(typed)}`; set it in one place."));
    }

    private void CheckTls(KafkaOptions options, SecurityProtocol protocol, List<KafkaConfigurationIssue> issues)
    {
        var tlsSettings = new[] { KafkaSettingCatalog.SslCaLocation, KafkaSettingCatalog.SslCertificateLocation, KafkaSettingCatalog.SslKeyLocation, KafkaSettingCatalog.SslKeyPassword };
        string? Value(KafkaSetting setting) => KafkaValueResolver.Resolve(options, setting, KafkaClientKinds.All).Value as string;

        if (protocol is SecurityProtocol.Ssl or SecurityProtocol.SaslSsl)
        {
            KafkaCertificateChecks.Check(
                Value(KafkaSettingCatalog.SslCaLocation),
                Value(KafkaSettingCatalog.SslCertificateLocation),
                Value(KafkaSettingCatalog.SslKeyLocation),
                Value(KafkaSettingCatalog.SslKeyPassword),
                _timeProvider.GetUtcNow(),
                TimeSpan.FromDays(options.CertificateExpiryWarningDays),
                issues);
            return;
        }

        foreach (var setting in tlsSettings.Where(setting => setting.Get(options) is not null))
        {
            issues.Add(KafkaConfigurationIssue.Warning(
                setting.SectionKey,
                $"{setting.Describe()} is set but {KafkaSettingCatalog.SecurityProtocol.Describe()} is {KafkaSettingCatalog.SecurityProtocol.Format(protocol)}, which does not use TLS; it is ignored."));
        }
    }
}
