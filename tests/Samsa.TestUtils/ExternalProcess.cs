using System.Diagnostics;
using System.Text;

namespace Samsa.TestUtils;

/// <summary>Runs a non-.NET Kafka client (kcat, kafka-python) as a child process with a bounded wait.</summary>
public static class ExternalProcess
{
    public sealed record Result(int ExitCode, string StandardOutput, string StandardError)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}";
    }

    /// <summary>The path of <paramref name="program"/> when it is installed, else null.</summary>
    public static string? Find(string program)
    {
        if (Path.IsPathRooted(program))
        {
            return File.Exists(program) ? program : null;
        }

        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':'))
        {
            var candidate = Path.Combine(directory, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public static Task<Result> RunAsync(string program, IEnumerable<string> arguments, string? standardInput = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        RunAsync(program, arguments, environment: null, workingDirectory: null, standardInput, timeout, cancellationToken);

    /// <summary>Runs <paramref name="program"/> with variables set (or, when null, removed) on top of this process's, in <paramref name="workingDirectory"/> (default: this process's).</summary>
    public static async Task<Result> RunAsync(
        string program,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?>? environment,
        string? workingDirectory,
        string? standardInput = null,
        TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput).ConfigureAwait(false);
        }

        process.StandardInput.Close();
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} did not finish in time.\nstdout:\n{stdout}\nstderr:\n{stderr}");
        }

        // Drains the redirected output; bounded because a grandchild that inherited the pipes could keep them open.
        process.WaitForExit(TimeSpan.FromSeconds(10));
        return new Result(process.ExitCode, stdout.ToString(), stderr.ToString());
    }
}
