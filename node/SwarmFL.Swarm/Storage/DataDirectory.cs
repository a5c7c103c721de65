using SwarmFL.Crypto;

namespace SwarmFL.Swarm.Storage;

/// <summary>
/// A node's data directory: its key, its round state and its model store. Held under an exclusive lock for the node's
/// lifetime, because two processes sharing one directory would corrupt each other's state.
/// </summary>
public sealed class DataDirectory : IDisposable
{
    private readonly FileStream _lock;

    private DataDirectory(string root, FileStream lockFile)
    {
        Root = root;
        _lock = lockFile;
    }

    public string Root { get; }
    public string KeyPath => Path.Combine(Root, "node.key");
    public string StatePath => Path.Combine(Root, "state.json");
    public string ModelsPath => Path.Combine(Root, "models");

    public static DataDirectory Open(string root)
    {
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(Path.Combine(root, "models"));
        var lockPath = Path.Combine(root, ".lock");
        try
        {
            var lockFile = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            return new DataDirectory(Path.GetFullPath(root), lockFile);
        }
        catch (IOException)
        {
            throw new DataDirectoryInUseException(root);
        }
    }

    public NodeKey LoadOrCreateKey() => KeyFile.LoadOrCreate(KeyPath);

    public void Dispose() => _lock.Dispose();
}

public sealed class DataDirectoryInUseException(string root)
    : IOException($"data directory {root} is in use by another swarmfl process; give each node its own --data-dir");
