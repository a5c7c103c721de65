namespace SwarmFL.Crypto;

/// <summary>
/// A node key on disk: one line, 0x and 64 hex digits, readable by the owner only (0600). Writes go to a temporary file
/// first and are renamed into place, so a crash never leaves half a key.
/// </summary>
public static class KeyFile
{
    public static NodeKey Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (FileNotFoundException)
        {
            throw new KeyFileException(path, "does not exist; create one with `swarmfl key new --out FILE`");
        }
        catch (DirectoryNotFoundException)
        {
            throw new KeyFileException(path, "does not exist (its directory is missing)");
        }
        catch (UnauthorizedAccessException)
        {
            throw new KeyFileException(path, "cannot be read: permission denied");
        }
        catch (IOException e)
        {
            throw new KeyFileException(path, $"cannot be read: {e.Message}");
        }
        try
        {
            return NodeKey.FromHex(text.Trim());
        }
        catch (FormatException e)
        {
            throw new KeyFileException(path, $"is not a node key: {e.Message}");
        }
    }

    /// <summary>Writes the key with mode 0600 and refuses to replace an existing file.</summary>
    public static void Save(NodeKey key, string path)
    {
        var fullPath = Path.GetFullPath(path);
        if (File.Exists(fullPath) || Directory.Exists(fullPath))
            throw new KeyFileException(path, "already exists; refusing to overwrite a key");
        var directory = Path.GetDirectoryName(fullPath)!;
        if (!Directory.Exists(directory)) throw new KeyFileException(path, $"cannot be written: directory {directory} does not exist");

        var temporary = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Environment.ProcessId}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using (var stream = new FileStream(temporary, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.WriteLine(key.PrivateKeyHex());
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, fullPath, overwrite: false);
        }
        catch (IOException e) when (e is not KeyFileException)
        {
            File.Delete(temporary);
            if (File.Exists(fullPath)) throw new KeyFileException(path, "already exists; refusing to overwrite a key");
            throw new KeyFileException(path, $"cannot be written: {e.Message}");
        }
        catch (UnauthorizedAccessException)
        {
            throw new KeyFileException(path, "cannot be written: permission denied");
        }
    }

    /// <summary>Loads the key at path, creating it first when it does not exist (a node's first start).</summary>
    public static NodeKey LoadOrCreate(string path)
    {
        if (File.Exists(path)) return Load(path);
        var key = NodeKey.Generate();
        Save(key, path);
        return key;
    }
}

public sealed class KeyFileException(string path, string problem) : IOException($"key file {path} {problem}")
{
    public string KeyPath { get; } = path;
}
