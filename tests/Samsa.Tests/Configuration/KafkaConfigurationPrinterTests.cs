using Samsa.Configuration;
using static Samsa.Tests.Configuration.KafkaTestSupport;

namespace Samsa.Tests.Configuration;

public class KafkaConfigurationPrinterTests
{
    [Theory]
    [InlineData("sasl.password")]
    [InlineData("ssl.key.password")]
    [InlineData("ssl.key.pem")]
    [InlineData("ssl.keystore.password")]
    [InlineData("sasl.oauthbearer.client.secret")]
    [InlineData("sasl.oauthbearer.assertion.private.key.passphrase")]
    [InlineData("sasl.oauthbearer.assertion.private.key.pem")]
    [InlineData("sasl.oauthbearer.config")]
    [InlineData("my.custom.Secret")]
    public void IsSecret_SecretNames_True(string name)
    {
        Assert.True(KafkaConfigurationPrinter.IsSecret(name));
        Assert.Equal("***", KafkaConfigurationPrinter.Redact(name, "value"));
    }

    [Theory]
    [InlineData("sasl.username")]
    [InlineData("ssl.certificate.pem")]
    [InlineData("ssl.key.location")]
    [InlineData("bootstrap.servers")]
    public void IsSecret_OrdinaryNames_False(string name)
    {
        Assert.False(KafkaConfigurationPrinter.IsSecret(name));
    }

    [Fact]
    public void Format_EffectiveConfiguration_NoSecretLeaks()
    {
        var options = Production(o =>
        {
            o.SslKeyPassword = "key-secret-1";
            o.Properties["ssl.key.pem"] = "-----BEGIN PRIVATE KEY-----abc";
            o.Properties["sasl.oauthbearer.client.secret"] = "oauth-secret-2";
        });

        var text = KafkaConfigurationPrinter.Format(options);

        Assert.DoesNotContain("your-password", text, StringComparison.Ordinal);
        Assert.DoesNotContain("key-secret-1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("BEGIN PRIVATE KEY", text, StringComparison.Ordinal);
        Assert.DoesNotContain("oauth-secret-2", text, StringComparison.Ordinal);
        Assert.Contains("sasl.password = ***", text, StringComparison.Ordinal);
        Assert.Contains("ssl.key.password = ***", text, StringComparison.Ordinal);
        Assert.Contains("sasl.username = your-username", text, StringComparison.Ordinal);
        Assert.Contains("[producer]", text, StringComparison.Ordinal);
        Assert.Contains("[consumer]", text, StringComparison.Ordinal);
        Assert.Contains("[admin]", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_InvalidSecretRawValue_ValueMaskedInMessage()
    {
        var options = Development(o =>
        {
            o.SaslPassword = "typed-s3cr3t";
            o.Producer.Properties["sasl.password"] = "raw-s3cr3t";
        });

        var text = Describe(Validator().Check(options));

        Assert.Contains("conflicts with `Kafka:SaslPassword` (`KAFKA_SASL_PASSWORD`)=`***`", text, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", text, StringComparison.Ordinal);
    }
}
