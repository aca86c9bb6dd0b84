using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Samsa.Consuming;
using Samsa.Consuming.DeadLetter;
using Samsa.DependencyInjection;
using Samsa.Health;
using Samsa.TestUtils;
using Samsa.Tests.DependencyInjection;
using static Samsa.Tests.Consuming.ConsumingTestSupport;

namespace Samsa.Tests.Consuming;

/// <summary>
/// The hosted consumer in exactly-once mode (<see cref="ConsumerOptions.ExactlyOnce"/>) against the embedded broker:
/// handler outputs, dead letters and offsets committed in one transaction, read back with real Confluent clients.
/// </summary>
public sealed class ExactlyOnceTests
{
    private const string Outputs = "outputs";

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    /// <summary>A handler that produces <c>out-&lt;id&gt;</c> to <see cref="Outputs"/> for every event (then does what the event says).</summary>
    private static RecordingHandler Producing(Func<TestEvent, ConsumeContext, ValueTask>? then = null) => new()
    {
        Behavior = async (e, context, _) =>
        {
            context.Produce(Outputs, new Message<byte[]?, byte[]?> { Key = Encoding.UTF8.GetBytes($"k-{e.Id}"), Value = Encoding.UTF8.GetBytes($"out-{e.Id}") });
            if (then is not null)
            {
                await then(e, context);
            }
            else if (e.Fail == "permanent")
            {
                throw new Samsa.Consuming.Retry.PermanentFailureException($"event {e.Id} can never be handled");
            }
        },
    };

    private static IHost BuildExactlyOnceHost(EmbeddedBroker broker, RecordingHandler handler, string group = "billing", Action<ConsumerOptions>? configure = null, Action<SamsaKafkaBuilder>? more = null) =>
        BuildHost(broker, "orders", group, handler,
            configure: options =>
            {
                options.ExactlyOnce = true;
                var fast = options.ConfigureProducer;
                options.ConfigureProducer = config =>
                {
                    fast?.Invoke(config);
                    config.TransactionTimeoutMs = 10_000;
                    config.SocketTimeoutMs = 5_000;
                };
                configure?.Invoke(options);
            },
            more: samsa =>
            {
                samsa.AddTopic(Outputs, t => t.Partitions = 2);
                more?.Invoke(samsa);
            });

    [Fact]
    public async Task ExactlyOnce_HandlerProducesPerInput_EachOutputCommittedOnceWithTheInputOffsets()
    {
        await using var broker = await StartBrokerAsync();
        var handler = Producing();
        using var host = BuildExactlyOnceHost(broker, handler, configure: options => options.MaxRecordsPerTransaction = 50);
        await host.StartAsync(Token);
        await host.Worker("orders", "billing").WaitForAssignmentAsync(2);

        await ProduceAsync(broker, "orders", Enumerable.Range(0, 300).Select(i => new TestEvent(i)));

        await Poll.UntilAsync(() => CommittedAsync(broker, "billing", "orders").GetAwaiter().GetResult().Values.Sum() == 300, "every input offset committed");
        var end = EndOffsets(broker, "orders");
        Assert.Equal(end, await CommittedAsync(broker, "billing", "orders"));
        var outputs = ReadToEnd(broker, Outputs, IsolationLevel.ReadCommitted);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"out-{i}").Order(), outputs.Order());
        Assert.Equal(300, ReadToEnd(broker, Outputs, IsolationLevel.ReadUncommitted).Count);
        Assert.DoesNotContain(host.Logs(), r => r.Id.Name == "TransactionTimeoutTooShort");
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task Crash_MidTransaction_OutputsHiddenFromReadCommittedAndTheNextInstanceOutputsEachInputOnce()
    {
        await using var broker = await StartBrokerAsync();
        var first = Producing();
        void Stable(ConsumerOptions options)
        {
            options.TransactionalId = "billing-instance-0";
            options.CommitInterval = TimeSpan.FromMinutes(10);
        }

        using var crashed = BuildExactlyOnceHost(broker, first, configure: Stable);
        await crashed.StartAsync(Token);
        await ProduceAsync(broker, "orders", Enumerable.Range(0, 20).Select(i => new TestEvent(i)));
        await Poll.UntilAsync(() => first.SuccessCount == 20, "every input handled in the open transaction");
        await Poll.UntilAsync(() => ReadToEnd(broker, Outputs, IsolationLevel.ReadUncommitted).Count == 20, "the open transaction's outputs in the log");

        crashed.Worker("orders", "billing").Crash();
        await Poll.UntilAsync(() => crashed.Worker("orders", "billing").State == ConsumerWorkerState.Stopped, "the worker gone");

        Assert.Empty(ReadToEnd(broker, Outputs, IsolationLevel.ReadCommitted));
        Assert.Equal([-1, -1], (await CommittedAsync(broker, "billing", "orders")).Values);
        Assert.Contains(crashed.Logs(), r => r.Id.Name == "TransactionTimeoutTooShort" && r.Message.Contains("00:10:00", StringComparison.Ordinal));

        var second = Producing();
        using var next = BuildExactlyOnceHost(broker, second, configure: Stable);
        await next.StartAsync(Token);
        await Poll.UntilAsync(() => second.SuccessCount == 20, "every input handled again by the next instance");
        await next.StopAsync(Token);

        Assert.Equal(EndOffsets(broker, "orders"), await CommittedAsync(broker, "billing", "orders"));
        var committed = ReadToEnd(broker, Outputs, IsolationLevel.ReadCommitted);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"out-{i}").Order(), committed.Order());
        var everything = ReadToEnd(broker, Outputs, IsolationLevel.ReadUncommitted);
        Assert.Equal(40, everything.Count);
        Assert.All(everything.GroupBy(v => v), g => Assert.Equal(2, g.Count()));
        await crashed.StopAsync(Token);
    }

    [Fact]
    public async Task Crash_RestartUnderAnotherInstanceId_OpenTransactionAbortedOnTimeoutAndEachInputOutputOnce()
    {
        await using var broker = await EmbeddedBroker.StartAsync(options =>
        {
            options.GroupInitialRebalanceDelay = TimeSpan.Zero;
            options.GroupMinSessionTimeout = TimeSpan.FromMilliseconds(500);
            options.OffsetsTopicPartitions = 3;
            options.TransactionAbortTimedOutInterval = TimeSpan.FromMilliseconds(200);
        });
        void ShortTimeout(ConsumerOptions options)
        {
            options.InstanceId = "pod-a";
            options.CommitInterval = TimeSpan.FromMinutes(10);
            var configure = options.ConfigureProducer;
            options.ConfigureProducer = config =>
            {
                configure?.Invoke(config);
                config.TransactionTimeoutMs = 3_000;
                config.SocketTimeoutMs = 2_500;
                config.MessageTimeoutMs = 3_000;
            };
        }

        var first = Producing();
        using var crashed = BuildExactlyOnceHost(broker, first, configure: ShortTimeout);
        await crashed.StartAsync(Token);
        await ProduceAsync(broker, "orders", Enumerable.Range(0, 10).Select(i => new TestEvent(i)));
        await Poll.UntilAsync(() => ReadToEnd(broker, Outputs, IsolationLevel.ReadUncommitted).Count == 10, "the open transaction's outputs in the log");
        crashed.Worker("orders", "billing").Crash();

        var second = Producing();
        using var next = BuildExactlyOnceHost(broker, second, configure: options =>
        {
            options.InstanceId = "pod-b";
            options.CommitInterval = TimeSpan.FromMilliseconds(100);
        });
        await next.StartAsync(Token);

        // The new worker's id differs, so the coordinator aborts the old transaction when it times out.
        await Poll.UntilAsync(() => ReadToEnd(broker, Outputs, IsolationLevel.ReadCommitted).Count == 10, "the next instance's outputs visible past the timed-out transaction");
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"out-{i}").Order(), ReadToEnd(broker, Outputs, IsolationLevel.ReadCommitted).Order());
        Assert.Equal(EndOffsets(broker, "orders"), await CommittedAsync(broker, "billing", "orders"));
        await next.StopAsync(Token);
        await crashed.StopAsync(Token);
    }

    [Fact]
    public async Task Crash_RestartWithTheSameInstanceId_FencesTheDeadInstanceAndOutputsVisibleWithinSeconds()
    {
        await using var broker = await StartBrokerAsync();
        var clock = new Stopwatch();
        void SamePod(ConsumerOptions options, TimeSpan commitInterval)
        {
            options.InstanceId = "billing-0";
            options.StaticMembership = true;
            options.CommitInterval = commitInterval;
            var consumer = options.ConfigureConsumer;
            options.ConfigureConsumer = config =>
            {
                consumer?.Invoke(config);

                // Without the stable ids, the restart would wait out both of these.
                config.SessionTimeoutMs = 45_000;
                config.MaxPollIntervalMs = 60_000;
            };
            var producer = options.ConfigureProducer;
            options.ConfigureProducer = config =>
            {
                producer?.Invoke(config);
                config.TransactionTimeoutMs = 60_000;
            };
        }

        var first = Producing();
        using var crashed = BuildExactlyOnceHost(broker, first, configure: options => SamePod(options, TimeSpan.FromMinutes(10)));
        await crashed.StartAsync(Token);
        await ProduceAsync(broker, "orders", Enumerable.Range(0, 20).Select(i => new TestEvent(i)));
        await Poll.UntilAsync(() => ReadToEnd(broker, Outputs, IsolationLevel.ReadUncommitted).Count == 20, "the open transaction's outputs in the log");
        crashed.Worker("orders", "billing").Crash();
        await Poll.UntilAsync(() => crashed.Worker("orders", "billing").State == ConsumerWorkerState.Stopped, "the worker gone");
        await ProduceAsync(broker, "orders", Enumerable.Range(20, 5).Select(i => new TestEvent(i)));

        clock.Start();
        var second = Producing();
        using var restarted = BuildExactlyOnceHost(broker, second, configure: options => SamePod(options, TimeSpan.FromMilliseconds(100)));
        await restarted.StartAsync(Token);

        await Poll.UntilAsync(() => ReadToEnd(broker, Outputs, IsolationLevel.ReadCommitted).Count == 25, "every output visible to read_committed", TimeSpan.FromSeconds(10));
        TestContext.Current.TestOutputHelper?.WriteLine($"read_committed outputs visible {clock.Elapsed.TotalSeconds:0.00} s after the restart began");
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"out-{i}").Order(), ReadToEnd(broker, Outputs, IsolationLevel.ReadCommitted).Order());
        var started = Assert.Single(restarted.Logs(), r => r.Id.Name == "ConsumerStarted").Message;
        Assert.Contains("exactly-once", started, StringComparison.Ordinal);
        Assert.Contains("transactional.id samsa-billing-orders-billing-0", started, StringComparison.Ordinal);
        Assert.Contains("group.instance.id billing-0-orders", started, StringComparison.Ordinal);
        await restarted.StopAsync(Token);
        await crashed.StopAsync(Token);
    }

    [Fact]
    public async Task HandleAsync_ThrowsAfterProducing_FailedAttemptsOutputsDropped()
    {
        await using var broker = await StartBrokerAsync();
        var handler = Producing(then: (e, context) => e.Id % 3 == 0 && context.Attempt < 3
            ? throw new TimeoutException($"event {e.Id} attempt {context.Attempt}")
            : ValueTask.CompletedTask);
        using var host = BuildExactlyOnceHost(broker, handler);
        await host.StartAsync(Token);

        await ProduceAsync(broker, "orders", Enumerable.Range(0, 30).Select(i => new TestEvent(i)));

        await Poll.UntilAsync(() => CommittedAsync(broker, "billing", "orders").GetAwaiter().GetResult().Values.Sum() == 30, "every input offset committed");
        Assert.Equal(30 + (10 * 2), handler.Calls.Count);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"out-{i}").Order(), ReadToEnd(broker, Outputs, IsolationLevel.ReadUncommitted).Order());
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task Produce_FailsInsideTransaction_AbortedRewoundAndEachInputOutputOnce()
    {
        await using var broker = await StartBrokerAsync();
        var oversized = 0;
        var handler = Producing(then: (e, context) =>
        {
            // Once: an output bigger than the topic takes, which fails the whole transaction.
            if (e.Id == 7 && Interlocked.Exchange(ref oversized, 1) == 0)
            {
                context.Produce(Outputs, new Message<byte[]?, byte[]?> { Value = new byte[4096] });
            }

            return ValueTask.CompletedTask;
        });
        using var host = BuildExactlyOnceHost(broker, handler,
            configure: options => options.CommitInterval = TimeSpan.FromMilliseconds(500),
            more: samsa => samsa.AddTopic(Outputs, t =>
            {
                t.Partitions = 2;
                t.Configs["max.message.bytes"] = "1024";
            }));
        await host.StartAsync(Token);
        await host.Worker("orders", "billing").WaitForAssignmentAsync(2);

        await ProduceAsync(broker, "orders", Enumerable.Range(0, 20).Select(i => new TestEvent(i)), partition: 0);

        await Poll.UntilAsync(() => CommittedAsync(broker, "billing", "orders").GetAwaiter().GetResult()[0] == 20, "partition 0 committed after the rewind");
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"out-{i}").Order(), ReadToEnd(broker, Outputs, IsolationLevel.ReadCommitted).Order());
        Assert.True(handler.Calls.Count(c => c.Id == 7) >= 2, "event 7 handled again after the abort");

        // Records count when their transaction commits: the aborted attempt's records are not counted twice.
        var worker = host.Worker("orders", "billing");
        await Poll.UntilAsync(() => worker.GetStatus().Handled >= 20, "the committed records counted");
        Assert.Equal(20, worker.GetStatus().Handled);
        await host.StopAsync(Token);
    }

    [Fact]
    public async Task HandleAsync_PermanentFailureInExactlyOnceMode_DeadLetteredExactlyOnce()
    {
        await using var broker = await StartBrokerAsync();
        var handler = Producing();
        using var host = BuildExactlyOnceHost(broker, handler);
        await host.StartAsync(Token);

        await ProduceAsync(broker, "orders", [new TestEvent(1), new TestEvent(2, "permanent"), new TestEvent(3)], partition: 0);

        await Poll.UntilAsync(() => CommittedAsync(broker, "billing", "orders").GetAwaiter().GetResult()[0] == 3, "all three offsets committed");
        await host.StopAsync(Token);
        var dead = Assert.Single(ReadRecordsToEnd(broker, "orders.dlq", IsolationLevel.ReadUncommitted));
        Assert.Single(ReadRecordsToEnd(broker, "orders.dlq", IsolationLevel.ReadCommitted));
        Assert.Equal(new TestEvent(2, "permanent"), Event(dead));
        Assert.Equal(DeadLetterReasons.Permanent, Header(dead, DeadLetterHeaders.Reason));
        Assert.Equal("0", Header(dead, DeadLetterHeaders.OriginalPartition));
        Assert.Equal("1", Header(dead, DeadLetterHeaders.OriginalOffset));
        Assert.Equal(["out-1", "out-3"], ReadToEnd(broker, Outputs, IsolationLevel.ReadCommitted).Order(StringComparer.Ordinal));
        Assert.Equal(1, host.Worker("orders", "billing").GetStatus().DeadLettered);
    }

    [Fact]
    public async Task DeadLetter_CannotBeWrittenInExactlyOnceMode_NothingMovesOnAndUnhealthyUntilItCan()
    {
        await using var broker = await StartBrokerAsync();
        var handler = Producing();
        using var host = BuildExactlyOnceHost(broker, handler,
            configure: options => options.CommitInterval = TimeSpan.FromMilliseconds(300),
            more: samsa => samsa.AddTopic("orders.dlq", t => t.Configs["max.message.bytes"] = "64"));
        await host.StartAsync(Token);
        var worker = host.Worker("orders", "billing");
        await worker.WaitForAssignmentAsync(2);
        var check = new ConsumerHealthCheck(worker);

        await ProduceAsync(broker, "orders", [new TestEvent(1), new TestEvent(2, "permanent"), new TestEvent(3)], partition: 0);
        await Poll.UntilAsync(() => worker.GetStatus().BlockedPartitions > 0, "the transaction blocked on its dead letter");
        await Poll.UntilAsync(() => handler.Calls.Count(c => c.Id == 2) >= 3, "the record failing again after each rewind");

        var unhealthy = await check.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.Contains("orders.dlq", (string)unhealthy.Data["lastForwardError"], StringComparison.Ordinal);
        Assert.Contains("MsgSizeTooLarge", (string)unhealthy.Data["lastForwardError"], StringComparison.Ordinal);
        Assert.True((await CommittedAsync(broker, "billing", "orders"))[0] <= 1, "nothing committed past the dead letter");
        Assert.Empty(ReadToEnd(broker, "orders.dlq", IsolationLevel.ReadCommitted));

        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
            {
                [new ConfigResource { Type = ResourceType.Topic, Name = "orders.dlq" }] =
                    [new ConfigEntry { Name = "max.message.bytes", Value = "1000000", IncrementalOperation = AlterConfigOpType.Set }],
            });
        }

        await Poll.UntilAsync(() => CommittedAsync(broker, "billing", "orders").GetAwaiter().GetResult()[0] == 3, "all three offsets committed once the dead letter fits");
        await Poll.UntilAsync(() => worker.GetStatus().BlockedPartitions == 0, "no longer blocked");
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);
        await host.StopAsync(Token);
        Assert.Single(ReadRecordsToEnd(broker, "orders.dlq", IsolationLevel.ReadCommitted));
        Assert.Equal(["out-1", "out-3"], ReadToEnd(broker, Outputs, IsolationLevel.ReadCommitted).Order(StringComparer.Ordinal));
        Assert.Equal(1, worker.GetStatus().DeadLettered);
        Assert.Equal(2, worker.GetStatus().Handled);
    }

    [Fact]
    public async Task HandleAsync_TransientInExactlyOnceMode_RetryCopyCommittedOnceAndOutputOnceFromTheRetryTopic()
    {
        await using var broker = await StartBrokerAsync();
        var handler = Producing(then: (e, context) => e.Id == 2 && context.RetryLevel == 0
            ? throw new TimeoutException("event 2 times out at first")
            : ValueTask.CompletedTask);
        using var host = BuildExactlyOnceHost(broker, handler, configure: options =>
        {
            options.Retry.MaxAttempts = 1;
            options.Retry.RetryTopicDelays = [TimeSpan.FromMilliseconds(200)];
        });
        await host.StartAsync(Token);
        await host.Worker("orders", "billing").WaitForAssignmentAsync(4);

        await ProduceAsync(broker, "orders", [new TestEvent(1), new TestEvent(2), new TestEvent(3)], partition: 0);

        await Poll.UntilAsync(() => handler.Successes.ContainsKey(2), "event 2 handled from the retry topic");
        await Poll.UntilAsync(() => CommittedAsync(broker, "billing", "orders.retry.1").GetAwaiter().GetResult()[0] == 1, "the retry copy's offset committed");
        await host.StopAsync(Token);
        Assert.Equal(3, (await CommittedAsync(broker, "billing", "orders"))[0]);
        Assert.Single(ReadRecordsToEnd(broker, "orders.retry.1", IsolationLevel.ReadUncommitted));
        Assert.Equal(["out-1", "out-2", "out-3"], ReadToEnd(broker, Outputs, IsolationLevel.ReadCommitted).Order(StringComparer.Ordinal));
        Assert.Equal(1, host.Worker("orders", "billing").GetStatus().ForwardedToRetry);
    }

    [Fact]
    public async Task Rebalance_SecondInstanceJoinsMidStream_EachInputOutputOnce()
    {
        await using var broker = await StartBrokerAsync();
        var slow = Producing(then: async (_, _) => await Task.Delay(2));
        using var hostOne = BuildExactlyOnceHost(broker, slow, configure: options =>
        {
            options.InstanceId = "pod-1";
            options.CommitInterval = TimeSpan.FromSeconds(2);
        });
        await hostOne.StartAsync(Token);
        await hostOne.Worker("orders", "billing").WaitForAssignmentAsync(2);
        await ProduceAsync(broker, "orders", Enumerable.Range(0, 400).Select(i => new TestEvent(i)));
        await Poll.UntilAsync(() => slow.SuccessCount >= 50, "the first instance under way");

        var two = Producing();
        using var hostTwo = BuildExactlyOnceHost(broker, two, configure: options =>
        {
            options.InstanceId = "pod-2";
            options.CommitInterval = TimeSpan.FromSeconds(2);
        });
        await hostTwo.StartAsync(Token);
        await hostTwo.Worker("orders", "billing").WaitForAssignmentAsync(1);
        await ProduceAsync(broker, "orders", Enumerable.Range(400, 100).Select(i => new TestEvent(i)));

        await Poll.UntilAsync(() => CommittedAsync(broker, "billing", "orders").GetAwaiter().GetResult().Values.Sum() == 500, "every input offset committed");
        Assert.NotEmpty(two.Successes);
        var outputs = ReadToEnd(broker, Outputs, IsolationLevel.ReadCommitted);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"out-{i}").Order(), outputs.Order());
        await hostTwo.StopAsync(Token);
        await hostOne.StopAsync(Token);
    }

    [Fact]
    public async Task Rebalance_MemberStuckInRevokePastItsPollInterval_ItsTransactionIsFencedAndEachInputOutputOnce()
    {
        await using var broker = await StartBrokerAsync();
        var zombie = Producing(then: async (e, _) =>
        {
            if (e.Id == 0)
            {
                // Ignores cancellation: keeps the revoke waiting past the group's rebalance timeout (max.poll.interval.ms).
                await Task.Delay(TimeSpan.FromSeconds(8), CancellationToken.None);
            }
        });
        void Eager(ConsumerOptions options)
        {
            options.AssignmentStrategy = PartitionAssignmentStrategy.Range;
            options.CommitInterval = TimeSpan.FromMinutes(10);
            options.RevokeTimeout = TimeSpan.FromSeconds(6);
            var configure = options.ConfigureConsumer;
            options.ConfigureConsumer = config =>
            {
                configure?.Invoke(config);

                // The group's rebalance timeout is the longest of its members'.
                config.MaxPollIntervalMs = 3_000;
            };
        }

        using var hostOne = BuildExactlyOnceHost(broker, zombie, configure: options =>
        {
            Eager(options);
            options.InstanceId = "pod-1";
        });
        await hostOne.StartAsync(Token);
        await hostOne.Worker("orders", "billing").WaitForAssignmentAsync(2);
        await ProduceAsync(broker, "orders", Enumerable.Range(100, 10).Select(i => new TestEvent(i)), partition: 1);
        await ProduceAsync(broker, "orders", [new TestEvent(0)], partition: 0);
        await Poll.UntilAsync(() => zombie.SuccessCount == 10 && zombie.Calls.Any(c => c.Id == 0), "partition 1 handled into the open transaction, partition 0 stuck");
        await Poll.UntilAsync(() => ReadToEnd(broker, Outputs, IsolationLevel.ReadUncommitted).Count == 10, "the open transaction's outputs in the log");

        var next = Producing();
        using var hostTwo = BuildExactlyOnceHost(broker, next, configure: options =>
        {
            Eager(options);
            options.InstanceId = "pod-2";
        });
        await hostTwo.StartAsync(Token);

        await Poll.UntilAsync(() => CommittedAsync(broker, "billing", "orders").GetAwaiter().GetResult().Values.SequenceEqual([1L, 10L]), "every input committed");
        await Poll.UntilAsync(() => zombie.Successes.ContainsKey(0), "the stuck call over");
        await hostTwo.StopAsync(Token);
        await hostOne.StopAsync(Token);
        var outputs = ReadToEnd(broker, Outputs, IsolationLevel.ReadCommitted);
        Assert.Equal(Enumerable.Range(100, 10).Prepend(0).Select(i => $"out-{i}").Order(), outputs.Order());

        // The stuck member's offsets never reached the group, so the new one handled partition 1 again, and the stuck
        // member's outputs of it are in the log, aborted.
        Assert.Equal(10, next.Successes.Keys.Count(id => id >= 100));
        Assert.True(ReadToEnd(broker, Outputs, IsolationLevel.ReadUncommitted).Count >= 21);
    }

    [Fact]
    public async Task TransactionalId_TakenOverByAnotherWorker_FencedWorkerFaultsAndReportsUnhealthy()
    {
        await using var broker = await StartBrokerAsync();
        var handler = Producing();
        void Shared(ConsumerOptions options) => options.TransactionalId = "shared-instance";
        using var fenced = BuildExactlyOnceHost(broker, handler, configure: Shared);
        await fenced.StartAsync(Token);
        var worker = fenced.Worker("orders", "billing");
        await ProduceAsync(broker, "orders", [new TestEvent(1)], partition: 0);
        await Poll.UntilAsync(() => CommittedAsync(broker, "billing", "orders").GetAwaiter().GetResult()[0] == 1, "the first input committed");

        using var newer = BuildExactlyOnceHost(broker, Producing(), group: "audit", configure: Shared);
        await newer.StartAsync(Token);
        await newer.Worker("orders", "audit").WaitForAssignmentAsync(2);
        await ProduceAsync(broker, "orders", [new TestEvent(2)], partition: 0);

        await Poll.UntilAsync(() => worker.State == ConsumerWorkerState.Faulted, "the fenced worker stopped");
        var health = await new ConsumerHealthCheck(worker).CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.Contains("shared-instance", worker.GetStatus().Fault!.Message, StringComparison.Ordinal);
        Assert.Contains("fenced", worker.GetStatus().Fault!.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await CommittedAsync(broker, "billing", "orders"))[0]);
        await newer.StopAsync(Token);
    }

    /// <summary>The end offset of each partition of <paramref name="topic"/>.</summary>
    private static Dictionary<int, long> EndOffsets(EmbeddedBroker broker, string topic, int partitions = 2)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(broker.ConsumerConfig($"ends-{Guid.NewGuid():N}")).Build();
        return Enumerable.Range(0, partitions).ToDictionary(p => p, p => consumer.QueryWatermarkOffsets(new TopicPartition(topic, p), Wait).High.Value);
    }

    /// <summary>The values of every record of <paramref name="topic"/> a fresh reader with <paramref name="isolation"/> sees up to the end.</summary>
    private static List<string> ReadToEnd(EmbeddedBroker broker, string topic, IsolationLevel isolation, int partitions = 2) =>
        [.. ReadRecordsToEnd(broker, topic, isolation, partitions).Select(r => r.Message.Value is null ? string.Empty : Encoding.UTF8.GetString(r.Message.Value))];

    /// <summary>Every record of <paramref name="topic"/> a fresh reader with <paramref name="isolation"/> sees up to the end of each partition (the last stable offset for read_committed).</summary>
    private static List<ConsumeResult<byte[]?, byte[]?>> ReadRecordsToEnd(EmbeddedBroker broker, string topic, IsolationLevel isolation, int partitions = 2)
    {
        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(broker.ConsumerConfig($"read-{Guid.NewGuid():N}", c =>
        {
            c.IsolationLevel = isolation;
            c.EnablePartitionEof = true;
        })).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        return consumer.ConsumeToEnd(partitions, Wait);
    }
}
