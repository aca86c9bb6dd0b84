using Xunit;

namespace Samsa.Testing.XunitV3;

/// <summary>
/// One <see cref="KafkaTestCluster"/> shared by the tests of a class (<c>IClassFixture&lt;KafkaClusterFixture&gt;</c>)
/// or of the whole assembly (<c>[assembly: AssemblyFixture(typeof(KafkaClusterFixture))]</c>). Derive from it and
/// override <see cref="Configure"/> for other settings. Tests that share a cluster keep apart with
/// <see cref="KafkaTestCluster.UniqueName"/>, or call <see cref="KafkaTestCluster.ResetAsync"/> between them.
/// </summary>
public class KafkaClusterFixture : IAsyncLifetime
{
    private KafkaTestCluster? _kafka;

    /// <summary>The cluster; started before the first test that uses the fixture.</summary>
    public KafkaTestCluster Kafka => _kafka ?? throw new InvalidOperationException("The cluster starts in InitializeAsync; xUnit calls it before the first test that uses the fixture.");

    /// <summary>Starts the cluster.</summary>
    public async ValueTask InitializeAsync() => _kafka = await KafkaTestCluster.StartAsync(Configure).ConfigureAwait(false);

    /// <summary>Stops the cluster.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_kafka is not null)
        {
            await _kafka.DisposeAsync().ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Changes the cluster's settings before it starts; the defaults give one in-memory node.</summary>
    protected virtual void Configure(KafkaTestClusterOptions options)
    {
    }
}
