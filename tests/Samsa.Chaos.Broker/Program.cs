using System.Globalization;
using Microsoft.Extensions.Logging;
using Samsa.Broker;

// The fault suite's broker process (scenario 5, the soak): Samsa.Broker with the options `samsa broker start --data-dir D
// --nodes N --port P --default-replication-factor N` gives it, and the same console logging, plus one thing the CLI has
// no way to do: stop and start a single node of the running process. Arguments: DATA_DIR NODES PORT. Prints
// "bootstrap.servers=..." once it accepts connections, then reads commands from standard input, one a line:
// "ID stop NODE" or "ID start NODE", answered "command ID done." or "command ID failed: ...", and "ID heap", which runs
// a full blocking garbage collection and answers "command ID done. heap=BYTES" (the managed heap that survived it). Exits
// when standard input closes (the test process is gone), so that no broker outlives its test.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: Samsa.Chaos.Broker DATA_DIR NODES PORT");
    return 2;
}

var nodes = int.Parse(args[1], CultureInfo.InvariantCulture);
var options = new BrokerOptions
{
    DataDirectory = args[0],
    NodeCount = nodes,
    Port = int.Parse(args[2], CultureInfo.InvariantCulture),
    DefaultReplicationFactor = (short)nodes,
};
using var loggerFactory = LoggerFactory.Create(logging => logging
    .AddSimpleConsole(console =>
    {
        console.SingleLine = true;
        console.TimestampFormat = "HH:mm:ss.fff ";
    })
    .SetMinimumLevel(LogLevel.Information));
await using var broker = await SamsaBroker.StartAsync(options, loggerFactory);
Console.WriteLine($"bootstrap.servers={broker.BootstrapServers}");

while (await Console.In.ReadLineAsync() is { } line)
{
    var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
    if (words.Length == 0)
    {
        continue;
    }

    try
    {
        if (words is [var id, "heap"])
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            Console.WriteLine($"command {id} done. heap={GC.GetTotalMemory(forceFullCollection: false)}");
            continue;
        }

        var node = words.Length == 3 ? int.Parse(words[2], CultureInfo.InvariantCulture) : -1;
        switch (words.Length == 3 ? words[1] : null)
        {
            case "stop":
                await broker.StopNodeAsync(node);
                break;
            case "start":
                await broker.StartNodeAsync(node);
                break;
            default:
                throw new ArgumentException("expected 'ID stop NODE', 'ID start NODE' or 'ID heap'");
        }

        Console.WriteLine($"command {words[0]} done.");
    }
    catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or IOException)
    {
        Console.WriteLine($"command {words[0]} failed: {e.GetType().Name}: {e.Message}");
    }
}

return 0;
