using SwarmFL.Crypto;

namespace SwarmFL.Crypto.Tests;

public sealed class KeyFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmfl-keys").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_saved_key_loads_back_and_is_readable_by_the_owner_only()
    {
        var path = Path.Combine(_dir, "node.key");
        var key = NodeKey.Generate();
        KeyFile.Save(key, path);
        Assert.Equal(key.PeerId, KeyFile.Load(path).PeerId);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Saving_over_an_existing_file_is_refused_and_keeps_the_old_key()
    {
        var path = Path.Combine(_dir, "node.key");
        var first = NodeKey.Generate();
        KeyFile.Save(first, path);
        var e = Assert.Throws<KeyFileException>(() => KeyFile.Save(NodeKey.Generate(), path));
        Assert.Contains(path, e.Message);
        Assert.Equal(first.PeerId, KeyFile.Load(path).PeerId);
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Theory]
    [InlineData("not a key")]
    [InlineData("0x1234")]
    [InlineData("")]
    public void Malformed_key_files_name_the_file(string content)
    {
        var path = Path.Combine(_dir, "bad.key");
        File.WriteAllText(path, content);
        var e = Assert.Throws<KeyFileException>(() => KeyFile.Load(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void A_missing_key_file_names_the_file()
    {
        var path = Path.Combine(_dir, "missing.key");
        var e = Assert.Throws<KeyFileException>(() => KeyFile.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void LoadOrCreate_creates_once_then_returns_the_same_key()
    {
        var path = Path.Combine(_dir, "data", "node.key");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var created = KeyFile.LoadOrCreate(path);
        Assert.Equal(created.PeerId, KeyFile.LoadOrCreate(path).PeerId);
    }
}
