using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;
using Samsa.TestUtils;

namespace Samsa.Broker.Tests.Clients;

/// <summary>
/// A Confluent.Kafka group member that consumes on its own thread and records what it was given:
/// records, its current assignment, every assignment and revocation, and errors. Committing is
/// synchronous after each record when asked, so what was consumed is what is committed.
/// </summary>
internal sealed class GroupTestConsumer : IDisposable
{
    private readonly IConsumer<string, string> _consumer;
    private readonly Thread _thread;
    private readonly bool _commitEach;
    private readonly object _assignmentLock = new();
    private readonly HashSet<TopicPartition> _assignment = [];
    private volatile bool _stop;
    private bool _released;

    public GroupTestConsumer(string name, ConsumerConfig config, string topic, bool commitEach = false)
    {
        Name = name;
        _commitEach = commitEach;
        _consumer = new ConsumerBuilder<string, string>(config)
            .SetPartitionsAssignedHandler((_, partitions) =>
            {
                lock (_assignmentLock)
                {
                    _assignment.UnionWith(partitions);
                }

                Assigned.Enqueue(partitions);
            })
            .SetPartitionsRevokedHandler((_, partitions) =>
            {
                lock (_assignmentLock)
                {
                    _assignment.ExceptWith(partitions.Select(p => p.TopicPartition));
                }

                Revoked.Enqueue(partitions.Select(p => p.TopicPartition).ToList());
            })
            .SetPartitionsLostHandler((_, partitions) =>
            {
                lock (_assignmentLock)
                {
                    _assignment.ExceptWith(partitions.Select(p => p.TopicPartition));
                }
            })
            .SetErrorHandler((_, error) => Errors.Enqueue(error))
            .Build();
        _consumer.Subscribe(topic);
        _thread = new Thread(Run) { IsBackground = true, Name = name };
        _thread.Start();
    }

    public string Name { get; }

    public ConcurrentQueue<ConsumeResult<string, string>> Received { get; } = new();

    public ConcurrentQueue<List<TopicPartition>> Assigned { get; } = new();

    public ConcurrentQueue<List<TopicPartition>> Revoked { get; } = new();

    public ConcurrentQueue<Error> Errors { get; } = new();

    public IReadOnlyList<TopicPartition> Assignment
    {
        get
        {
            lock (_assignmentLock)
            {
                return _assignment.OrderBy(p => p.Partition.Value).ToList();
            }
        }
    }

    private void Run()
    {
        while (!_stop)
        {
            try
            {
                var result = _consumer.Consume(TimeSpan.FromMilliseconds(50));
                if (result is null || result.IsPartitionEOF)
                {
                    continue;
                }

                Received.Enqueue(result);
                if (_commitEach)
                {
                    _consumer.Commit(result);
                }
            }
            catch (KafkaException e)
            {
                Errors.Enqueue(e.Error);
            }
        }
    }

    private void StopLoop()
    {
        _stop = true;
        if (!_thread.Join(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException($"{Name}'s consume loop did not stop.");
        }
    }

    /// <summary>Leaves the group cleanly (LeaveGroup) and releases the client.</summary>
    public void Close()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        StopLoop();
        try
        {
            _consumer.Close();
        }
        catch (KafkaException) when (Errors.Any(e => e.IsFatal))
        {
            // A fenced (fatal) consumer cannot leave; it is only released.
        }

        _consumer.Dispose();
    }

    /// <summary>
    /// Ends the client as a crash would: librdkafka is destroyed without consumer close, so no
    /// LeaveGroup and no final commit are sent; the broker only notices when the session times out.
    /// </summary>
    public void Kill()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        StopLoop();
        var handleProperty = typeof(Handle).GetProperty("LibrdkafkaHandle", BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("Confluent.Kafka's Handle.LibrdkafkaHandle was not found.");
        var safeHandle = (SafeHandle)handleProperty.GetValue(_consumer.Handle)!;
        var library = NativeLibrary.Load(LoadedLibrdkafkaPath());
        var destroy = Marshal.GetDelegateForFunctionPointer<DestroyFlags>(NativeLibrary.GetExport(library, "rd_kafka_destroy_flags"));
        destroy(safeHandle.DangerousGetHandle(), NoConsumerClose);

        // librdkafka is gone: Confluent.Kafka must not touch the handle again (the consumer is abandoned, not disposed).
        safeHandle.SetHandleAsInvalid();
    }

    public void Dispose() => Close();

    private const int NoConsumerClose = 0x8;

    /// <summary>The librdkafka file this process has loaded (Confluent.Kafka picks one of the bundled builds).</summary>
    private static string LoadedLibrdkafkaPath()
    {
        using var process = Process.GetCurrentProcess();
        foreach (ProcessModule module in process.Modules)
        {
            if (module.FileName.Contains("librdkafka", StringComparison.Ordinal))
            {
                return module.FileName;
            }
        }

        throw new InvalidOperationException("No librdkafka is loaded.");
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void DestroyFlags(IntPtr handle, int flags);
}
