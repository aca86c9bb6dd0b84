using Samsa.ProtocolGenerator;

// Usage: ProtocolGenerator [--reference DIR] [--out DIR]
// Defaults assume the repository root as working directory: the schemas are vendored in schemas/kafka.
var reference = "schemas/kafka";
var output = "src/Samsa.Protocol/Generated";
for (var i = 0; i < args.Length - 1; i++)
{
    switch (args[i])
    {
        case "--reference":
            reference = args[++i];
            break;
        case "--out":
            output = args[++i];
            break;
    }
}

if (!Directory.Exists(Path.Combine(reference, "messages")))
{
    Console.Error.WriteLine($"Schema folder not found: {Path.GetFullPath(Path.Combine(reference, "messages"))}. Pass --reference DIR (the folder holding messages/ and error-codes.tsv).");
    return 2;
}

var count = Generator.WriteTo(reference, output);
Console.WriteLine($"Wrote {count} files to {Path.GetFullPath(output)}.");
return 0;
