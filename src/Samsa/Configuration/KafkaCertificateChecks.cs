using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Samsa.Configuration;

/// <summary>
/// Checks the TLS files before anything connects: they exist, can be read, are PEM, the key matches the
/// certificate (and its password opens it), and no certificate is expired or not yet valid (errors) or
/// expires within the warning window (a warning).
/// </summary>
internal static class KafkaCertificateChecks
{
    /// <summary>librdkafka's value for "look in the system's usual CA locations".</summary>
    private const string ProbeCaLocation = "probe";

    /// <summary>Checks the CA file and the client certificate and key.</summary>
    public static void Check(
        string? caLocation,
        string? certificateLocation,
        string? keyLocation,
        string? keyPassword,
        DateTimeOffset now,
        TimeSpan warningWindow,
        List<KafkaConfigurationIssue> issues)
    {
        var ca = KafkaSettingCatalog.SslCaLocation;
        if (!string.IsNullOrWhiteSpace(caLocation) && caLocation != ProbeCaLocation && !Directory.Exists(caLocation) && FileReadable(caLocation, ca, issues))
        {
            CheckCaFile(caLocation, now, warningWindow, issues);
        }

        var certificate = KafkaSettingCatalog.SslCertificateLocation;
        var key = KafkaSettingCatalog.SslKeyLocation;
        var hasCertificate = !string.IsNullOrWhiteSpace(certificateLocation);
        var hasKey = !string.IsNullOrWhiteSpace(keyLocation);
        if (hasCertificate != hasKey)
        {
            var (set, missing) = hasCertificate ? (certificate, key) : (key, certificate);
            issues.Add(KafkaConfigurationIssue.Error(
                missing.SectionKey,
                $"{set.Describe()} is set but {missing.Describe()} is not: a client certificate needs its private key, and the key its certificate."));
        }

        if (!hasCertificate || !hasKey)
        {
            return;
        }

        var certificateReadable = FileReadable(certificateLocation!, certificate, issues);
        var keyReadable = FileReadable(keyLocation!, key, issues);
        if (certificateReadable && keyReadable)
        {
            CheckClientCertificate(certificateLocation!, keyLocation!, keyPassword, now, warningWindow, issues);
        }
    }

    private static void CheckCaFile(string path, DateTimeOffset now, TimeSpan warningWindow, List<KafkaConfigurationIssue> issues)
    {
        var setting = KafkaSettingCatalog.SslCaLocation;
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPemFile(path);
        }
        catch (Exception exception) when (exception is CryptographicException or IOException or UnauthorizedAccessException)
        {
            issues.Add(KafkaConfigurationIssue.Error(setting.SectionKey, $"{setting.Describe()} file `{path}` is not a readable PEM file: {exception.Message}"));
            return;
        }

        try
        {
            if (certificates.Count == 0)
            {
                issues.Add(KafkaConfigurationIssue.Error(setting.SectionKey, $"{setting.Describe()} file `{path}` holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)."));
            }

            foreach (var certificate in certificates)
            {
                CheckValidity(certificate, setting, path, now, warningWindow, issues);
            }
        }
        finally
        {
            foreach (var certificate in certificates)
            {
                certificate.Dispose();
            }
        }
    }

    private static void CheckClientCertificate(
        string certificatePath, string keyPath, string? keyPassword, DateTimeOffset now, TimeSpan warningWindow, List<KafkaConfigurationIssue> issues)
    {
        var setting = KafkaSettingCatalog.SslCertificateLocation;
        X509Certificate2 certificate;
        try
        {
            certificate = string.IsNullOrEmpty(keyPassword)
                ? X509Certificate2.CreateFromPemFile(certificatePath, keyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(certificatePath, keyPassword, keyPath);
        }
        catch (Exception exception) when (exception is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            var hint = string.IsNullOrEmpty(keyPassword)
                ? $"if the key is encrypted, set {KafkaSettingCatalog.SslKeyPassword.Describe()}"
                : $"check {KafkaSettingCatalog.SslKeyPassword.Describe()}";
            issues.Add(KafkaConfigurationIssue.Error(
                setting.SectionKey,
                $"The client certificate `{certificatePath}` and key `{keyPath}` cannot be loaded together ({exception.Message}). " +
                $"They must be PEM files and the key must belong to the certificate; {hint}."));
            return;
        }

        using (certificate)
        {
            CheckValidity(certificate, setting, certificatePath, now, warningWindow, issues);
        }
    }

    private static void CheckValidity(
        X509Certificate2 certificate, KafkaSetting setting, string path, DateTimeOffset now, TimeSpan warningWindow, List<KafkaConfigurationIssue> issues)
    {
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        var subject = certificate.Subject;
        if (notAfter <= now)
        {
            issues.Add(KafkaConfigurationIssue.Error(
                setting.SectionKey,
                $"{setting.Describe()}: certificate `{subject}` in `{path}` expired on {Show(notAfter)}."));
        }
        else if (notBefore > now)
        {
            issues.Add(KafkaConfigurationIssue.Error(
                setting.SectionKey,
                $"{setting.Describe()}: certificate `{subject}` in `{path}` is not valid before {Show(notBefore)}."));
        }
        else if (notAfter - now <= warningWindow)
        {
            var days = (int)Math.Floor((notAfter - now).TotalDays);
            issues.Add(KafkaConfigurationIssue.Warning(
                setting.SectionKey,
                $"{setting.Describe()}: certificate `{subject}` in `{path}` expires on {Show(notAfter)}, in {days} day(s)."));
        }
    }

    private static bool FileReadable(string path, KafkaSetting setting, List<KafkaConfigurationIssue> issues)
    {
        if (Directory.Exists(path))
        {
            issues.Add(KafkaConfigurationIssue.Error(setting.SectionKey, $"{setting.Describe()} `{path}` is a directory, not a file."));
            return false;
        }

        if (!File.Exists(path))
        {
            issues.Add(KafkaConfigurationIssue.Error(setting.SectionKey, $"{setting.Describe()} file `{path}` does not exist."));
            return false;
        }

        try
        {
            using var stream = File.OpenRead(path);
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            issues.Add(KafkaConfigurationIssue.Error(setting.SectionKey, $"{setting.Describe()} file `{path}` cannot be read: {exception.Message}"));
            return false;
        }
    }

    private static string Show(DateTimeOffset moment) => moment.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
