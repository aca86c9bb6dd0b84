using System.Text.RegularExpressions;
using Confluent.Kafka;
using Samsa.TestUtils;

namespace Samsa.Packaging.Tests;

/// <summary>
/// What a new user does: packs the packages into a local feed, installs the <c>samsa</c> tool from it into a
/// temporary tool path, runs <c>samsa --version</c>, <c>samsa broker start</c> and <c>samsa check</c>, and builds a
/// console project that references the <c>Samsa</c> package and publishes an event to that broker.
/// </summary>
public sealed partial class PackInstallUseTests : IDisposable
{
    private const string Version = "0.1.0";
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(8);
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("samsa-pack-");

    [Fact]
    public async Task Pack_InstallTool_RunBroker_PublishFromAPackageReference()
    {
        var ct = TestContext.Current.CancellationToken;
        var feed = Path.Combine(_work.FullName, "feed");
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            // A separate build output: nothing of the developer's is overwritten.
            ["SAMSA_ARTIFACTS"] = Path.Combine(_work.FullName, "artifacts"),
            ["DOTNET_ROOT"] = Path.GetDirectoryName(DotnetPath()),
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        };
        foreach (var name in Environment.GetEnvironmentVariables().Keys.OfType<string>().Where(k => k.StartsWith("KAFKA_", StringComparison.Ordinal)))
        {
            environment[name] = null;
        }

        var config = WriteNuGetConfig(feed);
        foreach (var project in new[] { "Samsa.Protocol", "Samsa.Broker", "Samsa", "Samsa.Testing", "Samsa.Testing.XunitV3", "Samsa.Testing.AspNetCore", "Samsa.AspNetCore", "Samsa.Cli" })
        {
            var pack = await DotnetAsync(environment, null, ct, "pack", Path.Combine(RepositoryPaths.Root, "src", project), "-o", feed);
            Assert.True(pack.ExitCode == 0, pack.ToString());
            Assert.True(File.Exists(Path.Combine(feed, $"{project}.{Version}.nupkg")), pack.ToString());
            Assert.True(File.Exists(Path.Combine(feed, $"{project}.{Version}.snupkg")), pack.ToString());
        }

        var tools = Path.Combine(_work.FullName, "tools");
        // Installs and restores below use their own package folder (the feed's packages are not cached for later
        // runs), reading everything else from the developer's folder.
        environment["NUGET_PACKAGES"] = Path.Combine(_work.FullName, "packages");
        var install = await DotnetAsync(environment, null, ct, "tool", "install", "Samsa.Cli", "--version", Version, "--tool-path", tools, "--configfile", config);
        Assert.True(install.ExitCode == 0, install.ToString());
        var samsa = Path.Combine(tools, "samsa");

        var version = await ExternalProcess.RunAsync(samsa, ["--version"], environment, null, timeout: TimeSpan.FromMinutes(1), cancellationToken: ct);
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.StartsWith(Version, version.StandardOutput.Trim(), StringComparison.Ordinal);

        // The broker inherits this process's variables: its launcher needs DOTNET_ROOT too.
        Environment.SetEnvironmentVariable("DOTNET_ROOT", environment["DOTNET_ROOT"]);
        var port = BackgroundProcess.FreeTcpPort();
        using var broker = BackgroundProcess.Start(samsa, ["broker", "start", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--data-dir", Path.Combine(_work.FullName, "data"), "--auto-create-topics", "--default-partitions", "1"]);
        await broker.WaitForPortAsync(port, TimeSpan.FromMinutes(1), ct);
        var bootstrap = $"127.0.0.1:{port}";

        var check = await ExternalProcess.RunAsync(
            samsa, ["check", "--bootstrap-servers", bootstrap, "--environment", "Development", "--json"], environment, null, timeout: TimeSpan.FromMinutes(1), cancellationToken: ct);
        Assert.True(check.ExitCode is 0 or 1, check.ToString());
        Assert.Matches(StartupGatePassed(), check.StandardOutput);

        var app = WriteConsoleProject();
        var run = await DotnetAsync(
            new Dictionary<string, string?>(environment) { ["KAFKA_BOOTSTRAP_SERVERS"] = bootstrap, ["DOTNET_ENVIRONMENT"] = "Development" },
            app, ct, "run");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("published packaged-events/0@0", run.StandardOutput, StringComparison.Ordinal);

        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "packaging-test",
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Subscribe("packaged-events");
        var record = consumer.Consume(TimeSpan.FromSeconds(30));
        Assert.NotNull(record);
        Assert.Contains("\"orderId\":\"o-1\"", record.Message.Value, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            _work.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    private string WriteNuGetConfig(string feed)
    {
        Directory.CreateDirectory(feed);
        var path = Path.Combine(_work.FullName, "nuget.config");

        // The local feed, plus the machine's own sources (inherited from the user's NuGet config); packages the developer
        // has already restored are read from their folder. The throwaway project below finds this file in its parent.
        var userPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(path, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="samsa-local" value="{feed}" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="user" value="{userPackages}" />
              </fallbackPackageFolders>
            </configuration>
            """);
        return path;
    }

    private string WriteConsoleProject()
    {
        var directory = Directory.CreateDirectory(Path.Combine(_work.FullName, "app")).FullName;
        File.WriteAllText(Path.Combine(directory, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Samsa" Version="{Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(directory, "Program.cs"), """
            using Microsoft.Extensions.DependencyInjection;
            using Microsoft.Extensions.Hosting;
            using Samsa.Publishing;

            var builder = Host.CreateApplicationBuilder(args);
            builder.AddSamsaKafka().AddPublisher();
            using var host = builder.Build();
            await host.StartAsync();
            var publisher = host.Services.GetRequiredService<IEventPublisher>();
            var result = await publisher.PublishAsync(new OrderPlaced("o-1", 12.5m), new PublishOptions { Topic = "packaged-events" });
            Console.WriteLine($"published {result.Topic}/{result.Partition}@{result.Offset}");
            await host.StopAsync();

            internal sealed record OrderPlaced(string OrderId, decimal Total);
            """);
        return directory;
    }

    private static Task<ExternalProcess.Result> DotnetAsync(IReadOnlyDictionary<string, string?> environment, string? workingDirectory, CancellationToken ct, params string[] arguments) =>
        ExternalProcess.RunAsync(DotnetPath(), arguments, environment, workingDirectory, timeout: Step, cancellationToken: ct);

    /// <summary>The dotnet executable running the tests, its symbolic links resolved (the tool's launcher looks for the runtime beside it).</summary>
    private static string DotnetPath()
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : ExternalProcess.Find("dotnet") ?? throw new InvalidOperationException("dotnet is not on PATH.");
        return new FileInfo(dotnet).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? dotnet;
    }

    [GeneratedRegex("\"check\":\\s*\"start-up gate\",\\s*\"status\":\\s*\"pass\"")]
    private static partial Regex StartupGatePassed();
}
