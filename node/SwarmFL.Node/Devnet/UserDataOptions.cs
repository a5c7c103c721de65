namespace SwarmFL.Node.Devnet;

/// <summary>
/// `devnet up --data PATH` with the user's own dataset (CSV, npz, image folder) instead of MNIST: how to read it, and
/// which task and headline metric the swarm pins. Paths are absolute by the time they get here.
/// </summary>
public sealed record UserDataOptions
{
    public required string Path { get; init; }
    /// <summary>csv, npz, images or mnist; null: detected from the path.</summary>
    public string? Format { get; init; }
    /// <summary>CSV: the target column (null: the last column).</summary>
    public string? Label { get; init; }
    /// <summary>A test set in the same format; null: the members' held-out tenths, pooled (<see cref="UserDataset"/>).</summary>
    public string? TestPath { get; init; }
    public string Task { get; init; } = "classification";
    /// <summary>The headline metric the members commit (null: the task's default, accuracy or r2).</summary>
    public string? Metric { get; init; }
    /// <summary>Image folders: HxW (null: the first image's size).</summary>
    public string? ImageSize { get; init; }
    /// <summary>Image folders: 1 (grey) or 3 (RGB).</summary>
    public int Channels { get; init; } = 1;

    /// <summary>Usage problems (exit 2); what the files hold is checked when they are read (exit 3).</summary>
    public IEnumerable<string> Problems()
    {
        if (Channels is not (1 or 3)) yield return $"--channels {Channels}: images have 1 (grey) or 3 (RGB) channels";
    }
}
