namespace Samsa.TestUtils;

/// <summary>Locates the repository and the shared reference data beside it.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The folder holding Samsa.slnx.</summary>
    public static string Root => RootPath.Value;

    /// <summary>The Kafka protocol reference folder (messages/, error-codes.tsv), or null when it is not beside the repository.</summary>
    public static string? ProtocolReference
    {
        get
        {
            var fromEnvironment = Environment.GetEnvironmentVariable("SAMSA_PROTOCOL_REFERENCE");
            var candidate = !string.IsNullOrEmpty(fromEnvironment)
                ? fromEnvironment
                : Path.GetFullPath(Path.Combine(Root, "..", "shared", "reference", "kafka-protocol"));
            return Directory.Exists(Path.Combine(candidate, "messages")) ? candidate : null;
        }
    }

    private static string FindRoot()
    {
        var recorded = typeof(RepositoryPaths).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .OfType<System.Reflection.AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "SamsaRepositoryRoot")?.Value;
        if (recorded is not null && File.Exists(Path.Combine(recorded, "Samsa.slnx")))
        {
            return recorded;
        }

        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Samsa.slnx")))
            {
                return directory.FullName;
            }

            directory = directory.Parent;
        }

        throw new InvalidOperationException($"Samsa.slnx not found above {AppContext.BaseDirectory}.");
    }
}
