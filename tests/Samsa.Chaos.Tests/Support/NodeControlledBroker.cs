using System.Globalization;
using Samsa.TestUtils;

namespace Samsa.Chaos.Tests.Support;

/// <summary>
/// Samsa.Broker in a child process of its own (tests/Samsa.Chaos.Broker: what <c>samsa broker start --data-dir</c> runs,
/// plus commands on standard input that stop and start one node of it), so that a test can stop a node and measure the
/// broker process alone (<see cref="ProcessId"/>).
/// </summary>
internal sealed class NodeControlledBroker : IDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly BackgroundProcess _process;
    private int _commands;

    private NodeControlledBroker(BackgroundProcess process, string bootstrapServers)
    {
        _process = process;
        BootstrapServers = bootstrapServers;
    }

    public string BootstrapServers { get; }

    public int ProcessId => _process.Id;

    public string Output => _process.Output;

    public static async Task<NodeControlledBroker> StartAsync(string dataDirectory, int nodes, int port, CancellationToken cancellationToken)
    {
        var process = BrokerProcess.StartDotNet(
            "Samsa.Chaos.Broker.dll",
            [dataDirectory, nodes.ToString(CultureInfo.InvariantCulture), port.ToString(CultureInfo.InvariantCulture)],
            redirectStandardInput: true);
        try
        {
            var line = await process.WaitForOutputAsync("bootstrap.servers=", BrokerProcess.StartTimeout, cancellationToken);
            return new NodeControlledBroker(process, line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim());
        }
        catch
        {
            process.Dispose();
            throw;
        }
    }

    /// <summary>Stops one node as a crash of that node would (<c>SamsaBroker.StopNodeAsync</c>); returns once it is stopped.</summary>
    public Task StopNodeAsync(int node, CancellationToken cancellationToken) => CommandAsync("stop", node, cancellationToken);

    /// <summary>Starts a stopped node again on its port (<c>SamsaBroker.StartNodeAsync</c>); returns once it accepts connections.</summary>
    public Task StartNodeAsync(int node, CancellationToken cancellationToken) => CommandAsync("start", node, cancellationToken);

    /// <summary>The broker's managed heap, in bytes, after a full blocking, compacting garbage collection in it.</summary>
    public async Task<long> ManagedHeapAfterFullCollectionAsync(CancellationToken cancellationToken)
    {
        var answer = await CommandAsync("heap", cancellationToken);
        return long.Parse(answer[(answer.IndexOf("heap=", StringComparison.Ordinal) + "heap=".Length)..], CultureInfo.InvariantCulture);
    }

    public void Dispose() => _process.Dispose();

    private Task<string> CommandAsync(string verb, int node, CancellationToken cancellationToken) =>
        CommandAsync(string.Create(CultureInfo.InvariantCulture, $"{verb} {node}"), cancellationToken);

    private async Task<string> CommandAsync(string command, CancellationToken cancellationToken)
    {
        var id = ++_commands;
        await _process.StandardInput.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{id} {command}").AsMemory(), cancellationToken);
        await _process.StandardInput.FlushAsync(cancellationToken);
        var answer = await _process.WaitForOutputAsync(string.Create(CultureInfo.InvariantCulture, $"command {id} "), CommandTimeout, cancellationToken);
        if (!answer.Contains($"command {id} done.", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"'{command}' was answered: {answer}");
        }

        return answer;
    }
}
