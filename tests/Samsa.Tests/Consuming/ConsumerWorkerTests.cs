using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Samsa.Consuming;
using Samsa.Consuming.DeadLetter;
using Samsa.Consuming.Retry;
using Samsa.Health;
using Samsa.TestUtils;
using static Samsa.Tests.Consuming.ConsumingTestSupport;

namespace Samsa.Tests.Consuming;

/// <summary>The hosted consumer against the embedded broker with real Confluent clients.</summary>
public sealed class ConsumerWorkerTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HandleAsync_FailsTwiceThenSucceeds_RetriedInPlaceAndCommittedOnce()
    {
        await using var broker = await StartBrokerAsync();
        var handler = new RecordingHandler();
        using var host = BuildHost(broker, "orders", "billing", handler);
        await host.StartAsync(Token);
        var worker = host.Worker("orders", "billing");

        await ProduceAsync(broker, "orders", [new TestEvent(1, "transient:2")], partition: 0);

        await Poll.UntilAsync(() => handler.SuccessCount == 1, "the event handled");
        await Poll.UntilAsync(() => Committed(broker, "billing", "orders")[0] == 1, "offset 1 committed");
        Assert.Equal([1, 2, 3], handler.Calls.Select(c => c.Attempt));
        Assert.All(handler.Calls, c => Assert.Equal(0, c.Offset));
        Assert.Equal(1, handler.Successes[1]);
        Assert.Equal(0, worker.GetStatus().DeadLettered);
        await host.StopAsync(Token);
        Assert.Empty(ReadAll(broker, "orders.dlq", 1, timeout: TimeSpan.FromMilliseconds(300)));
    }

    [Fact]
    public async Task HandleAsync_PermanentFailure_DeadLetteredWithEveryHeader()
    {
        await using var broker = await StartBrokerAsync();
        var handler = new RecordingHandler();
        using var host = BuildHost(broker, "orders", "billing", handler);
        await host.StartAsync(Token);
        var headers = new Headers { { "tenant", Encoding.UTF8.GetBytes("acme") } };
        await ProduceAsync(broker, "orders", [new TestEvent(7, "permanent")], partition: 1, headers: headers);
        await ProduceAsync(broker, "orders", [new TestEvent(8)], partition: 1);

        var dead = Assert.Single(ReadAll(broker, "orders.dlq", 1));

        await Poll.UntilAsync(() => handler.Successes.ContainsKey(8), "the next record handled");
        await Poll.UntilAsync(() => Committed(broker, "billing", "orders")[1] == 2, "both offsets committed");
        Assert.Single(handler.Calls, c => c.Id == 7);
        Assert.Equal("k-7", Encoding.UTF8.GetString(dead.Message.Key!));
        Assert.Equal(new TestEvent(7, "permanent"), Event(dead));
        Assert.Equal("acme", Header(dead, "tenant"));
        Assert.Equal("orders", Header(dead, DeadLetterHeaders.OriginalTopic));
        Assert.Equal("1", Header(dead, DeadLetterHeaders.OriginalPartition));
        Assert.Equal("0", Header(dead, DeadLetterHeaders.OriginalOffset));
        var original = ReadAll(broker, "orders", 1).Single(r => r.Partition.Value == 1 && r.Offset.Value == 0);
        Assert.Equal(original.Message.Timestamp.UnixTimestampMs, DateTimeOffset.Parse(Header(dead, DeadLetterHeaders.OriginalTimestamp), CultureInfo.InvariantCulture).ToUnixTimeMilliseconds());
        Assert.Equal("billing", Header(dead, DeadLetterHeaders.Group));
        Assert.Equal(DeadLetterReasons.Permanent, Header(dead, DeadLetterHeaders.Reason));
        Assert.Equal(typeof(PermanentFailureException).FullName, Header(dead, DeadLetterHeaders.ExceptionType));
        Assert.Equal("event 7 can never be handled", Header(dead, DeadLetterHeaders.ExceptionMessage));
        var stack = Header(dead, DeadLetterHeaders.ExceptionStackTrace);
        Assert.Contains(nameof(RecordingHandler), stack, StringComparison.Ordinal);
        Assert.True(stack.Length <= ConsumerDefaults.MaxStackTraceLength);
        Assert.Equal("1", Header(dead, DeadLetterHeaders.Attempts));
        var first = DateTimeOffset.Parse(Header(dead, DeadLetterHeaders.FirstFailure), CultureInfo.InvariantCulture);
        var last = DateTimeOffset.Parse(Header(dead, DeadLetterHeaders.LastFailure), CultureInfo.InvariantCulture);
        Assert.Equal(first, last);
        Assert.True(first >= original.Message.Timestamp.UtcDateTime.AddSeconds(-1));
        Assert.DoesNotContain(7, handler.Successes.Keys);
    }

    [Fact]
    public async Task Consume_PoisonRecord_DeadLetteredWithoutCallingHandler()
    {
        await using var broker = await StartBrokerAsync();
        var handler = new RecordingHandler();
        using var host = BuildHost(broker, "orders", "billing", handler);
        await host.StartAsync(Token);

        await ProduceRawAsync(broker, "orders", 0, Encoding.UTF8.GetBytes("{not json"), Json(new TestEvent(2)));

        var dead = Assert.Single(ReadAll(broker, "orders.dlq", 1));
        await Poll.UntilAsync(() => handler.Successes.ContainsKey(2), "the record after the poison one handled");
        await Poll.UntilAsync(() => Committed(broker, "billing", "orders")[0] == 2, "both offsets committed");
        Assert.Equal("{not json", Encoding.UTF8.GetString(dead.Message.Value!));
        Assert.Equal(DeadLetterReasons.Deserialization, Header(dead, DeadLetterHeaders.Reason));
        Assert.Equal(typeof(EventDeserializationException).FullName, Header(dead, DeadLetterHeaders.ExceptionType));
        Assert.Equal("0", Header(dead, DeadLetterHeaders.Attempts));
        Assert.Equal("0", Header(dead, DeadLetterHeaders.OriginalOffset));
        Assert.DoesNotContain(handler.Calls, c => c.Offset == 0);
    }

    [Fact]
    public async Task HandleAsync_TransientPastInPlaceRetries_GoesThroughRetryTopicsThenDeadLetter()
    {
        await using var broker = await StartBrokerAsync();
        var handler = new RecordingHandler();
        using var host = BuildHost(broker, "orders", "billing", handler, configure: options =>
        {
            options.Retry.MaxAttempts = 2;
            options.Retry.RetryTopicDelays = [TimeSpan.FromMilliseconds(300), TimeSpan.FromMilliseconds(300)];
        });
        await host.StartAsync(Token);
        await host.Worker("orders", "billing").WaitForAssignmentAsync(6);

        await ProduceAsync(broker, "orders", [new TestEvent(1, "transient:99"), new TestEvent(2, "transient:3")], partition: 0);

        var dead = Assert.Single(ReadAll(broker, "orders.dlq", 1));
        await Poll.UntilAsync(() => handler.Successes.ContainsKey(2), "event 2 handled on its second retry topic");
        Assert.Equal(new TestEvent(1, "transient:99"), Event(dead));
        Assert.Equal(DeadLetterReasons.RetriesExhausted, Header(dead, DeadLetterHeaders.Reason));
        Assert.Equal("4", Header(dead, DeadLetterHeaders.Attempts));
        Assert.Equal("orders", Header(dead, DeadLetterHeaders.OriginalTopic));
        Assert.Equal("0", Header(dead, DeadLetterHeaders.OriginalOffset));
        Assert.Equal(typeof(TimeoutException).FullName, Header(dead, DeadLetterHeaders.ExceptionType));
        var first = DateTimeOffset.Parse(Header(dead, DeadLetterHeaders.FirstFailure), CultureInfo.InvariantCulture);
        var last = DateTimeOffset.Parse(Header(dead, DeadLetterHeaders.LastFailure), CultureInfo.InvariantCulture);
        Assert.True(last - first >= TimeSpan.FromMilliseconds(600), $"the two retry topics' delays passed between the first and last failure ({last - first})");
        var calls = handler.Calls.Where(c => c.Id == 1).ToList();
        Assert.Equal([(1, 0, "orders"), (2, 0, "orders"), (3, 1, "orders.retry.1"), (4, 2, "orders.retry.2")], calls.Select(c => (c.Attempt, c.RetryLevel, c.Topic)));
        Assert.Equal([1, 2, 3, 4], handler.Calls.Where(c => c.Id == 2).Select(c => c.Attempt));
        Assert.Equal(1, handler.Successes[2]);
    }

    [Fact]
    public async Task HandleAsync_RecordWaitingOnRetryTopic_LaterRecordsOfThePartitionKeepFlowing()
    {
        await using var broker = await StartBrokerAsync();
        var handler = new RecordingHandler();
        using var host = BuildHost(broker, "orders", "billing", handler, configure: options =>
        {
            options.Retry.MaxAttempts = 1;
            options.Retry.RetryTopicDelays = [TimeSpan.FromSeconds(2)];
        });
        await host.StartAsync(Token);

        await ProduceAsync(broker, "orders", [new TestEvent(1, "transient:1"), new TestEvent(2), new TestEvent(3)], partition: 0);

        await Poll.UntilAsync(() => handler.Successes.ContainsKey(3), "the later records handled");
        Assert.DoesNotContain(1, handler.Successes.Keys);
        await Poll.UntilAsync(() => handler.Successes.ContainsKey(1), "event 1 handled from the retry topic");
        Assert.Equal([1, 2, 3, 1], handler.Calls.Select(c => c.Id));
        await Poll.UntilAsync(() => Committed(broker, "billing", "orders")[0] == 3, "the source partition committed past event 1");
    }

    [Fact]
    public async Task HandleAsync_RetryingInPlace_OnlyItsPartitionWaits()
    {
        await using var broker = await StartBrokerAsync();
        var handler = new RecordingHandler();
        using var host = BuildHost(broker, "orders", "billing", handler, configure: options =>
        {
            options.Retry.MaxAttempts = 2;
            options.Retry.BaseDelay = TimeSpan.FromSeconds(2);
            options.Retry.MaxDelay = TimeSpan.FromSeconds(2);
            options.Retry.Jitter = 0;
        });
        await host.StartAsync(Token);

        await ProduceAsync(broker, "orders", [new TestEvent(1, "transient:1"), new TestEvent(2)], partition: 0);
        await Poll.UntilAsync(() => handler.Calls.Count == 1, "event 1 failed once");
        await ProduceAsync(broker, "orders", [new TestEvent(10), new TestEvent(11)], partition: 1);

        await Poll.UntilAsync(() => handler.Successes.ContainsKey(11), "partition 1 handled");
        Assert.DoesNotContain(2, handler.Successes.Keys);
        await Poll.UntilAsync(() => handler.Successes.ContainsKey(2), "partition 0 handled after the retry");
        Assert.Equal([1, 1, 2], handler.Calls.Where(c => c.Partition == 0).Select(c => c.Id));
    }

    [Fact]
    public async Task HandleAsync_DependencyDown_PausesPartitionWithoutCommittingUntilProbeSaysBack()
    {
        await using var broker = await StartBrokerAsync();
        var up = false;
        var handler = new RecordingHandler
        {
            Behavior = (e, c, _) => e.Id == 1 && !Volatile.Read(ref up) ? throw new DependencyDownException("the database is down") : ValueTask.CompletedTask,
        };
        var probes = 0;
        using var host = BuildHost(broker, "orders", "billing", handler, configure: options =>
        {
            options.DependencyProbe = (_, _) =>
            {
                Interlocked.Increment(ref probes);
                return ValueTask.FromResult(Volatile.Read(ref up));
            };
        });
        await host.StartAsync(Token);
        var worker = host.Worker("orders", "billing");
        var check = new ConsumerHealthCheck(worker);

        await ProduceAsync(broker, "orders", [new TestEvent(1), new TestEvent(2)], partition: 0);
        await Poll.UntilAsync(() => worker.GetStatus() is { DependencyDownPartitions: 1, PausedPartitions: 1 }, "partition 0 paused for its dependency");
        Assert.Equal(
            [(0, ConsumerPartitionState.DependencyDown), (1, ConsumerPartitionState.Running)],
            worker.GetStatus().Partitions.Where(p => p.Topic == "orders").OrderBy(p => p.Partition).Select(p => (p.Partition, p.State)));
        await Poll.UntilAsync(() => Volatile.Read(ref probes) >= 3, "the probe called");
        await ProduceAsync(broker, "orders", [new TestEvent(10)], partition: 1);
        await Poll.UntilAsync(() => handler.Successes.ContainsKey(10), "partition 1 still flows");

        var degraded = await check.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Single(handler.Calls, c => c.Id == 1);
        Assert.DoesNotContain(handler.Calls, c => c.Id == 2);
        Assert.True(Committed(broker, "billing", "orders")[0] <= 0, "nothing past the record is committed");

        Volatile.Write(ref up, true);
        await Poll.UntilAsync(() => handler.Successes.ContainsKey(2), "partition 0 resumed");
        await Poll.UntilAsync(() => Committed(broker, "billing", "orders")[0] == 2, "partition 0 committed");
        Assert.Equal(2, handler.Calls.Count(c => c.Id == 1));
        Assert.Equal(0, worker.GetStatus().DependencyDownPartitions);
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);
    }

    [Fact]
    public async Task DeadLetter_CannotBeWritten_PartitionStopsAndReportsUnhealthyUntilItCan()
    {
        await using var broker = await StartBrokerAsync();
        var handler = new RecordingHandler();
        using var host = BuildHost(broker, "orders", "billing", handler,
            configure: options =>
            {
                options.ForwardBackoff = TimeSpan.FromMilliseconds(100);
                options.ForwardMaxBackoff = TimeSpan.FromMilliseconds(200);
            },
            more: samsa => samsa.AddTopic("orders.dlq", t => t.Configs["max.message.bytes"] = "64"));
        await host.StartAsync(Token);
        var worker = host.Worker("orders", "billing");
        var check = new ConsumerHealthCheck(worker);

        await ProduceAsync(broker, "orders", [new TestEvent(1), new TestEvent(2, "permanent"), new TestEvent(3)], partition: 0);
        await Poll.UntilAsync(() => worker.GetStatus().BlockedPartitions == 1, "partition 0 blocked on its dead letter");
        Assert.Contains(worker.GetStatus().Partitions, p => p is { Partition: 0, State: ConsumerPartitionState.Blocked });
        await ProduceAsync(broker, "orders", [new TestEvent(10)], partition: 1);
        await Poll.UntilAsync(() => handler.Successes.ContainsKey(10), "partition 1 still flows");

        var unhealthy = await check.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.Contains("MsgSizeTooLarge", (string)unhealthy.Data["lastForwardError"], StringComparison.Ordinal);
        await Poll.UntilAsync(() => Committed(broker, "billing", "orders")[0] == 1, "partition 0 committed up to the record");
        Assert.DoesNotContain(3, handler.Successes.Keys);

        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = broker.BootstrapServers }).Build())
        {
            await admin.IncrementalAlterConfigsAsync(new Dictionary<ConfigResource, List<ConfigEntry>>
            {
                [new ConfigResource { Type = ResourceType.Topic, Name = "orders.dlq" }] =
                    [new ConfigEntry { Name = "max.message.bytes", Value = "1000000", IncrementalOperation = AlterConfigOpType.Set }],
            });
        }

        Assert.Single(ReadAll(broker, "orders.dlq", 1));
        await Poll.UntilAsync(() => handler.Successes.ContainsKey(3), "partition 0 moved on");
        await Poll.UntilAsync(() => Committed(broker, "billing", "orders")[0] == 3, "partition 0 committed past the dead letter");
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext())).Status);
    }

    [Fact]
    public async Task StopAsync_AfterHandling_CommitsHandledWork()
    {
        await using var broker = await StartBrokerAsync();
        var handler = new RecordingHandler();
        using var host = BuildHost(broker, "orders", "billing", handler, configure: options => options.CommitInterval = TimeSpan.FromMinutes(10));
        await host.StartAsync(Token);

        await ProduceAsync(broker, "orders", Enumerable.Range(0, 12).Select(i => new TestEvent(i)), partition: 0);
        await ProduceAsync(broker, "orders", Enumerable.Range(100, 8).Select(i => new TestEvent(i)), partition: 1);
        await Poll.UntilAsync(() => handler.SuccessCount == 20, "every event handled");
        Assert.Equal([-1, -1], Committed(broker, "billing", "orders").Values);

        await host.StopAsync(Token);

        Assert.Equal(new Dictionary<int, long> { [0] = 12, [1] = 8 }, Committed(broker, "billing", "orders"));
        Assert.Equal(ConsumerWorkerState.Stopped, host.Worker("orders", "billing").State);
    }

    [Fact]
    public async Task StopAsync_HandlerStuck_StopsWithinTheBoundAndCommitsOnlyWhatWasHandled()
    {
        await using var broker = await StartBrokerAsync();
        var handler = new RecordingHandler
        {
            Behavior = async (e, _, token) =>
            {
                if (e.Id == 3)
                {
                    await Task.Delay(Timeout.Infinite, token);
                }
            },
        };
        using var host = BuildHost(broker, "orders", "billing", handler, configure: options =>
        {
            options.CommitInterval = TimeSpan.FromMinutes(10);
            options.ShutdownTimeout = TimeSpan.FromMilliseconds(300);
        });
        await host.StartAsync(Token);
        await ProduceAsync(broker, "orders", Enumerable.Range(0, 6).Select(i => new TestEvent(i)), partition: 0);
        await Poll.UntilAsync(() => handler.Calls.Any(c => c.Id == 3), "the handler stuck on event 3");

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await host.StopAsync(Token);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"stopped in {clock.Elapsed}");
        Assert.Equal(3, Committed(broker, "billing", "orders")[0]);
    }

    [Fact]
    public async Task HandleAsync_SlowPartition_IsPausedAtTheInFlightLimitWhileOthersFlowAndOrderIsKept()
    {
        await using var broker = await StartBrokerAsync();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new RecordingHandler
        {
            Behavior = async (_, context, token) =>
            {
                if (context.Partition == 0)
                {
                    await gate.Task.WaitAsync(token);
                }
            },
        };
        using var host = BuildHost(broker, "orders", "billing", handler, configure: options => options.MaxInFlightPerPartition = 10);
        await host.StartAsync(Token);
        var worker = host.Worker("orders", "billing");

        await ProduceAsync(broker, "orders", Enumerable.Range(0, 200).Select(i => new TestEvent(i)), partition: 0);
        await ProduceAsync(broker, "orders", Enumerable.Range(1000, 200).Select(i => new TestEvent(i)), partition: 1);

        await Poll.UntilAsync(() => handler.Successes.Count(s => s.Key >= 1000) == 200, "partition 1 handled");
        await Poll.UntilAsync(() => worker.GetStatus().PausedPartitions == 1, "partition 0 paused");
        Assert.Contains(worker.GetStatus().Partitions, p => p is { Partition: 0, State: ConsumerPartitionState.Paused, OldestUnhandledAge: not null });
        Assert.True(worker.GetStatus().OldestUnhandledAge > TimeSpan.Zero);

        // Lag is measured on the poll thread's commit tick, so the pause may be seen before the next reading.
        await Poll.UntilAsync(() => worker.GetStatus().Lag >= 190, "partition 0's lag measured", TimeSpan.FromSeconds(5));
        gate.SetResult();
        await Poll.UntilAsync(() => handler.SuccessCount == 400, "partition 0 handled after the gate opened");
        await Poll.UntilAsync(() => worker.GetStatus().PausedPartitions == 0, "partition 0 resumed");
        foreach (var partition in new[] { 0, 1 })
        {
            var offsets = handler.Calls.Where(c => c.Partition == partition).Select(c => c.Offset).ToList();
            Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), offsets);
        }
    }

    [Fact]
    public async Task Crash_MidBatch_NothingIsLostAndTheNextInstanceHandlesTheRecordsAgain()
    {
        await using var broker = await StartBrokerAsync();
        var first = new RecordingHandler
        {
            Behavior = async (e, _, token) =>
            {
                if (e.Id % 100 >= 5)
                {
                    await Task.Delay(Timeout.Infinite, token);
                }
            },
        };
        using var crashed = BuildHost(broker, "orders", "billing", first, configure: options => options.CommitInterval = TimeSpan.FromMinutes(10));
        await crashed.StartAsync(Token);
        await ProduceAsync(broker, "orders", Enumerable.Range(0, 20).Select(i => new TestEvent(i)), partition: 0);
        await ProduceAsync(broker, "orders", Enumerable.Range(100, 20).Select(i => new TestEvent(i)), partition: 1);
        await Poll.UntilAsync(() => first.SuccessCount == 10 && first.Calls.Count == 12, "five events per partition handled, the sixth in progress");

        crashed.Worker("orders", "billing").Crash();
        await Poll.UntilAsync(() => crashed.Worker("orders", "billing").State == ConsumerWorkerState.Stopped, "the worker gone");
        Assert.Equal([-1, -1], Committed(broker, "billing", "orders").Values);

        var second = new RecordingHandler();
        using var next = BuildHost(broker, "orders", "billing", second);
        await next.StartAsync(Token);

        await Poll.UntilAsync(() => second.SuccessCount == 40, "every record handled by the next instance");
        Assert.Equal(Enumerable.Range(0, 20).Concat(Enumerable.Range(100, 20)).Order(), second.Successes.Keys.Order());
        await Poll.UntilAsync(() => Committed(broker, "billing", "orders").Values.SequenceEqual([20L, 20L]), "all committed");
        await next.StopAsync(Token);
        await crashed.StopAsync(Token);
    }

    [Fact]
    public async Task TwoInstances_SameGroup_SplitThePartitionsAndTogetherHandleEveryRecord()
    {
        await using var broker = await StartBrokerAsync();
        var one = new RecordingHandler();
        var two = new RecordingHandler();
        using var hostOne = BuildHost(broker, "orders", "billing", one, partitions: 4);
        using var hostTwo = BuildHost(broker, "orders", "billing", two, partitions: 4);
        await hostOne.StartAsync(Token);
        await hostOne.Worker("orders", "billing").WaitForAssignmentAsync(4);
        await hostTwo.StartAsync(Token);
        await hostTwo.Worker("orders", "billing").WaitForAssignmentAsync(2);
        await hostOne.Worker("orders", "billing").WaitForAssignmentAsync(2);

        await ProduceAsync(broker, "orders", Enumerable.Range(0, 200).Select(i => new TestEvent(i)));

        await Poll.UntilAsync(() => one.SuccessCount + two.SuccessCount == 200, "every record handled");
        Assert.NotEmpty(one.Successes);
        Assert.NotEmpty(two.Successes);
        Assert.Equal(Enumerable.Range(0, 200), one.Successes.Keys.Concat(two.Successes.Keys).Order());
        Assert.Empty(one.Calls.Select(c => c.Partition).Intersect(two.Calls.Select(c => c.Partition)));
        await Poll.UntilAsync(() => Committed(broker, "billing", "orders", 4).Values.Sum() == 200, "all committed");
        await hostTwo.StopAsync(Token);
        await hostOne.StopAsync(Token);
    }

    [Fact]
    public async Task Rebalance_DuringInPlaceRetry_RecordIsNeitherLostNorSkipped()
    {
        await using var broker = await StartBrokerAsync();
        var first = new RecordingHandler
        {
            Behavior = (e, _, _) => e.Id == 1 ? throw new TimeoutException("still failing") : ValueTask.CompletedTask,
        };
        using var hostOne = BuildHost(broker, "orders", "billing", first, configure: options =>
        {
            options.Retry.MaxAttempts = 100;
            options.Retry.BaseDelay = TimeSpan.FromMilliseconds(200);
            options.Retry.MaxDelay = TimeSpan.FromMilliseconds(200);
        });
        await hostOne.StartAsync(Token);
        await ProduceAsync(broker, "orders", [new TestEvent(0), new TestEvent(1), new TestEvent(2)], partition: 0);
        await Poll.UntilAsync(() => first.Calls.Count(c => c.Id == 1) >= 2, "event 1 retried in place");

        var second = new RecordingHandler();
        using var hostTwo = BuildHost(broker, "orders", "billing", second);
        await hostTwo.StartAsync(Token);
        await hostTwo.Worker("orders", "billing").WaitForAssignmentAsync(1);
        if (!second.Successes.ContainsKey(1))
        {
            // Partition 1 moved; partition 0 (and its retry) leaves with the first instance.
            await hostOne.StopAsync(Token);
        }

        await Poll.UntilAsync(() => second.Successes.ContainsKey(1) && second.Successes.ContainsKey(2), "the retried record and the one after it handled by the new owner");
        Assert.Equal([0], first.Successes.Keys);
        Assert.DoesNotContain(0, second.Successes.Keys);
        Assert.Equal([1, 2], second.Calls.Where(c => c.Partition == 0).Select(c => c.Id));
        await Poll.UntilAsync(() => Committed(broker, "billing", "orders")[0] == 3, "partition 0 committed");
        Assert.Empty(ReadAll(broker, "orders.dlq", 1, timeout: TimeSpan.FromMilliseconds(300)));
        await hostTwo.StopAsync(Token);
        await hostOne.StopAsync(Token);
    }

    private static Dictionary<int, long> Committed(EmbeddedBroker broker, string group, string topic, int partitions = 2) =>
        CommittedAsync(broker, group, topic, partitions).GetAwaiter().GetResult();
}
