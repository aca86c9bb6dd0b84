using BenchmarkDotNet.Running;
using Samsa.Benchmarks.Broker;
using Samsa.Benchmarks.Consuming;
using Samsa.Benchmarks.Publishing;

// Modes that are not BenchmarkDotNet suites: whole-system measurements with brokers in their own processes.
switch (args.FirstOrDefault())
{
    case "mock-host":
        return MockClusterHost.Run();
    case "broker-throughput":
        return BrokerThroughputHarness.Run(args[1..]);
    case "publish":
        return PublisherBenchmarks.Run(args[1..]);
    case "consume":
        return ConsumerBenchmarks.Run(args[1..]);
    case "consume-run":
        return ConsumerBenchmarks.RunOne(args[1..]);
    case "test-cluster":
        return Samsa.Benchmarks.Testing.TestClusterStartupHarness.Run(args[1..]);
    case "http-publish":
        return Samsa.Benchmarks.Http.HttpPublishHarness.Run(args[1..]);
    case "end-to-end":
        return Samsa.Benchmarks.EndToEnd.EndToEndHarness.Run(args[1..]);
    case "http-baseline-host":
        return Samsa.Benchmarks.Http.BaselineHttpHost.Run(args[1..]);
}

var summaries = BenchmarkSwitcher.FromAssembly(typeof(BrokerThroughputHarness).Assembly).Run(args);
Samsa.Benchmarks.Utils.BenchmarkDotNetResults.Print(summaries);
return 0;
