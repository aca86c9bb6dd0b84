using Confluent.Kafka;
using Samsa.Diagnostics;
using Samsa.Native;

namespace Samsa.Consuming;

/// <summary>
/// An <see cref="IRecordProducer"/> on a Confluent producer that is built on first use (most consumers never forward a
/// record) from the consumer's producer configuration.
/// </summary>
internal sealed class KafkaRecordProducer : IRecordProducer
{
    private readonly Func<ProducerConfig> _config;
    private readonly Action<Error>? _onError;
    private readonly ClientStatisticsMetrics? _statistics;
    private readonly Lock _gate = new();
    private IProducer<byte[]?, byte[]?>? _producer;
    private bool _disposed;

    public KafkaRecordProducer(Func<ProducerConfig> config, Action<Error>? onError = null, ClientStatisticsMetrics? statistics = null)
    {
        _config = config;
        _onError = onError;
        _statistics = statistics;
    }

    public Task ProduceAsync(string topic, Message<byte[]?, byte[]?> message, CancellationToken cancellationToken) =>
        Producer().ProduceAsync(topic, message, cancellationToken);

    public Task ProduceAsync(TopicPartition target, Message<byte[]?, byte[]?> message, CancellationToken cancellationToken) =>
        Producer().ProduceAsync(target, message, cancellationToken);

    /// <summary>Waits for queued messages, at most <paramref name="timeout"/>.</summary>
    public void Flush(TimeSpan timeout)
    {
        IProducer<byte[]?, byte[]?>? producer;
        lock (_gate)
        {
            producer = _producer;
        }

        producer?.Flush(timeout);
    }

    public void Dispose()
    {
        IProducer<byte[]?, byte[]?>? producer;
        lock (_gate)
        {
            _disposed = true;
            producer = _producer;
            _producer = null;
        }

        producer?.Dispose();
    }

    private IProducer<byte[]?, byte[]?> Producer()
    {
        var producer = Volatile.Read(ref _producer);
        if (producer is not null)
        {
            return producer;
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_producer is null)
            {
                var config = _config();
                LibrdkafkaLoader.EnsureLoaded();
                var onError = _onError;
                var builder = new ProducerBuilder<byte[]?, byte[]?>(config).WithStatistics(config, _statistics);
                if (onError is not null)
                {
                    builder.SetErrorHandler((_, error) => onError(error));
                }

                Volatile.Write(ref _producer, builder.Build());
            }

            return _producer!;
        }
    }
}
