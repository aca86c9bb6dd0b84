using System.Text;
using Confluent.Kafka;
using Samsa.Protocol;
using Samsa.Testing.Faults;
using Samsa.Testing.Sample.Tests.Orders;
using Samsa.Testing.XunitV3;
using ErrorCode = Samsa.Protocol.ErrorCode;

namespace Samsa.Testing.Sample.Tests;

/// <summary>
/// The order service against a real (in-process) Kafka cluster: one cluster for the class, a fresh
/// topic pair and group per test, and faults injected where the test is about failure.
/// </summary>
public sealed class OrderServiceTests(KafkaClusterFixture fixture) : IClassFixture<KafkaClusterFixture>, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly KafkaTestCluster _kafka = fixture.Kafka;
    private readonly string _orders = KafkaTestCluster.UniqueName("orders");
    private readonly string _group = KafkaTestCluster.UniqueName("order-processor");
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    private string DeadLetters => _orders + ".dlq";

    public async ValueTask InitializeAsync()
    {
        await _kafka.CreateTopicAsync(_orders, partitions: 3);
        await _kafka.CreateTopicAsync(DeadLetters);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _running;
        _stop.Dispose();
        _kafka.Faults.Clear();
    }

    [Fact]
    public async Task Publish_Order_IsOnTheTopicKeyedByItsId()
    {
        using var publisher = new OrderPublisher(_kafka.ProducerConfig(), _orders);

        await publisher.PublishAsync("order-1", "{\"total\":10}", TestContext.Current.CancellationToken);

        var record = Assert.Single(await _kafka.ConsumeToEndAsync(_orders, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(("order-1", "{\"total\":10}"), (record.Message.Key, record.Message.Value));
    }

    [Fact]
    public async Task Process_Order_IsHandledAndCommittedAndNothingIsDeadLettered()
    {
        var handled = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var publisher = new OrderPublisher(_kafka.ProducerConfig(), _orders);
        var offset = await publisher.PublishAsync("order-2", "paid", TestContext.Current.CancellationToken);
        var partition = _kafka.Requests.Produced(_orders)[^1].Partition!.Value;

        Start(m => { handled.TrySetResult(m.Key); return Task.CompletedTask; });

        Assert.Equal("order-2", await handled.Task.WaitAsync(Wait, TestContext.Current.CancellationToken));
        Assert.Equal(offset + 1, await _kafka.WaitForCommittedOffsetAsync(_group, _orders, partition, offset + 1, Wait, TestContext.Current.CancellationToken));
        Assert.Contains(_kafka.Requests.Commits(_group), c => c.Topic == _orders && c.Partition == partition && c.Offset == offset + 1);
        Assert.Empty(_kafka.Requests.Produced(DeadLetters));
    }

    [Fact]
    public async Task Process_HandlerFailsOnce_IsRetriedAndNotDeadLettered()
    {
        var attempts = 0;
        using var publisher = new OrderPublisher(_kafka.ProducerConfig(), _orders);
        var offset = await publisher.PublishAsync("order-3", "flaky", TestContext.Current.CancellationToken);
        var partition = _kafka.Requests.Produced(_orders)[^1].Partition!.Value;

        Start(_ => Interlocked.Increment(ref attempts) == 1 ? throw new InvalidOperationException("warehouse busy") : Task.CompletedTask);

        await _kafka.WaitForCommittedOffsetAsync(_group, _orders, partition, offset + 1, Wait, TestContext.Current.CancellationToken);
        Assert.Equal(2, Volatile.Read(ref attempts));
        Assert.Empty(_kafka.Requests.Produced(DeadLetters));
    }

    [Fact]
    public async Task Process_HandlerAlwaysFails_IsDeadLetteredWithTheErrorAndCommitted()
    {
        using var publisher = new OrderPublisher(_kafka.ProducerConfig(), _orders);
        var offset = await publisher.PublishAsync("order-4", "poison", TestContext.Current.CancellationToken);
        var partition = _kafka.Requests.Produced(_orders)[^1].Partition!.Value;

        Start(_ => throw new InvalidOperationException("cannot parse"));

        await _kafka.WaitForCommittedOffsetAsync(_group, _orders, partition, offset + 1, Wait, TestContext.Current.CancellationToken);
        var dead = Assert.Single(await _kafka.ConsumeToEndAsync(DeadLetters, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(("order-4", "poison"), (dead.Message.Key, dead.Message.Value));
        Assert.Equal("cannot parse", Encoding.UTF8.GetString(dead.Message.Headers.GetLastBytes("error")));
    }

    [Fact]
    public async Task Process_DeadLetterWriteFailsWithARetriableError_IsWrittenOnceAfterTheRetry()
    {
        using var publisher = new OrderPublisher(_kafka.ProducerConfig(), _orders);
        var offset = await publisher.PublishAsync("order-5", "poison", TestContext.Current.CancellationToken);
        var partition = _kafka.Requests.Produced(_orders)[^1].Partition!.Value;
        var fault = _kafka.Faults.FailNext(ApiKey.Produce, ErrorCode.NotEnoughReplicas, filter: new RequestFilter { Topic = DeadLetters });

        Start(_ => throw new InvalidOperationException("cannot parse"));

        await _kafka.WaitForCommittedOffsetAsync(_group, _orders, partition, offset + 1, Wait, TestContext.Current.CancellationToken);
        Assert.Equal(1, fault.TimesApplied);
        Assert.Single(await _kafka.ConsumeToEndAsync(DeadLetters, cancellationToken: TestContext.Current.CancellationToken));
        var attempts = _kafka.Requests.Where(r => r.Api == ApiKey.Produce).SelectMany(r => r.Partitions).Where(p => p.Topic == DeadLetters).Select(p => p.Error);
        Assert.Equal([ErrorCode.NotEnoughReplicas, ErrorCode.None], attempts);
    }

    [Fact]
    public async Task Publish_BrokerRejectsTheWrite_CallerGetsTheKafkaError()
    {
        using var publisher = new OrderPublisher(_kafka.ProducerConfig(), _orders);
        _kafka.Faults.FailNext(ApiKey.Produce, ErrorCode.PolicyViolation, filter: new RequestFilter { Topic = _orders });

        var error = await Assert.ThrowsAsync<ProduceException<string, string>>(() => publisher.PublishAsync("order-6", "x", TestContext.Current.CancellationToken));

        Assert.Equal(Confluent.Kafka.ErrorCode.PolicyViolation, error.Error.Code);
        Assert.Empty(await _kafka.ConsumeToEndAsync(_orders, cancellationToken: TestContext.Current.CancellationToken));
    }

    private void Start(Func<Message<string, string>, Task> handle)
    {
        var processor = new OrderProcessor(
            _kafka.ConsumerConfig(_group),
            _kafka.ProducerConfig(c => c.RetryBackoffMs = 10),
            _orders,
            DeadLetters,
            handle);
        _running = Task.Run(() => processor.RunAsync(_stop.Token));
    }
}
