namespace Samsa.TestUtils;

/// <summary>Locates the repository and the Kafka schemas vendored in it.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> RootPath = new(FindRoot);

    /// <summary>The folder holding Samsa.slnx.</summary>
    public static string Root => RootPath.Value;

    /// <summary>
    /// The Kafka schema folder (messages/, internal-records/, error-codes.tsv): <c>schemas/kafka</c> in the repository,
    /// or <c>SAMSA_PROTOCOL_REFERENCE</c> when set (to try a newer Kafka release before vendoring it).
    /// </summary>
    public static string ProtocolReference
    {
        get
        {
            var fromEnvironment = Environment.GetEnvironmentVariable("SAMSA_PROTOCOL_REFERENCE");
            var candidate = !string.IsNullOrEmpty(fromEnvironment)
                ? fromEnvironment
                : Path.Combine(Root, "schemas", "kafka");
            return Directory.Exists(Path.Combine(candidate, "messages"))
                ? candidate
                : throw new DirectoryNotFoundException($"The Kafka schema folder {candidate} has no messages/ folder.");
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
