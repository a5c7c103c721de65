using System.Text.Json;
using Serilog;
using SwarmFL.Crypto;

namespace SwarmFL.Ring.Storage;

/// <summary>
/// Model files on disk, one file per blob named by its content id under <c>blobs/</c>, plus <c>index.json</c> listing
/// them with size and time stored. Writes are atomic: bytes go to a temp file in the same directory, are fsynced, then
/// renamed over the final name, so a crash leaves either the old state or the new one. Reads re-hash the file; a file
/// that does not match its id is moved to <c>quarantine/</c> and never served. On open, the index is reconciled with
/// the files actually present (missing files are forgotten, unindexed files are verified and indexed, temp files from
/// an interrupted write are deleted), so the store survives restarts and crashes.
/// </summary>
public sealed class DiskBlobStore : IBlobStore
{
    private const string TempSuffix = ".tmp";
    private const string BlobFolder = "blobs";
    private readonly string _blobDirectory;
    private readonly string _quarantineDirectory;
    private readonly string _indexPath;
    private readonly ILogger _log;
    private readonly object _gate = new();
    private readonly Dictionary<ContentId, BlobEntry> _index = new();

    public sealed record BlobEntry(long Size, DateTimeOffset StoredAt);

    private sealed record IndexFile(int Version, Dictionary<string, BlobEntry> Blobs);

    public DiskBlobStore(string directory, ILogger? logger = null)
    {
        Directory = Path.GetFullPath(directory);
        _blobDirectory = Path.Combine(Directory, BlobFolder);
        _quarantineDirectory = Path.Combine(Directory, "quarantine");
        _indexPath = Path.Combine(Directory, "index.json");
        _log = (logger ?? Log.ForContext<DiskBlobStore>()).ForContext("Store", Directory);
        System.IO.Directory.CreateDirectory(_blobDirectory);
        Load();
    }

    public string Directory { get; }

    public bool Contains(ContentId cid)
    {
        lock (_gate) return _index.ContainsKey(cid);
    }

    public byte[]? TryRead(ContentId cid)
    {
        lock (_gate)
        {
            if (!_index.ContainsKey(cid)) return null;
            var path = BlobPath(cid);
            byte[] content;
            try { content = File.ReadAllBytes(path); }
            catch (IOException e)
            {
                _log.Warning("Blob {Cid} is indexed but unreadable ({Reason}); forgetting it", cid, e.Message);
                _index.Remove(cid);
                SaveIndex();
                return null;
            }
            if (cid.Matches(content)) return content;
            Quarantine(cid, path);
            SaveIndex();
            return null;
        }
    }

    public void Put(ContentId cid, ReadOnlySpan<byte> content)
    {
        if (!cid.Matches(content)) throw new ArgumentException($"content does not hash to {cid}", nameof(content));
        lock (_gate)
        {
            WriteAtomically(BlobPath(cid), content);
            _index[cid] = new BlobEntry(content.Length, DateTimeOffset.UtcNow);
            SaveIndex();
        }
    }

    public bool Delete(ContentId cid)
    {
        lock (_gate)
        {
            if (!_index.Remove(cid)) return false;
            File.Delete(BlobPath(cid));
            SaveIndex();
            return true;
        }
    }

    public IReadOnlyList<ContentId> List()
    {
        lock (_gate) return _index.Keys.ToArray();
    }

    /// <summary>How many blobs the index holds, and their bytes.</summary>
    public (int Count, long Bytes) Totals()
    {
        lock (_gate) return (_index.Count, _index.Values.Sum(e => e.Size));
    }

    public BlobEntry? Entry(ContentId cid)
    {
        lock (_gate) return _index.GetValueOrDefault(cid);
    }

    /// <summary>
    /// The bytes stored under <paramref name="cid"/> in the store at <paramref name="directory"/>, exactly as they are on
    /// disk, without opening the store: nothing is verified, repaired, quarantined or re-indexed. For a reader of another
    /// process's store (the audit), which must neither disturb a running node nor hide a file that does not match its id.
    /// </summary>
    public static byte[]? ReadUnverified(string directory, ContentId cid)
    {
        try { return File.ReadAllBytes(BlobPathIn(Path.Combine(directory, BlobFolder), cid)); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return null; }
    }

    private string BlobPath(ContentId cid) => BlobPathIn(_blobDirectory, cid);

    private static string BlobPathIn(string blobDirectory, ContentId cid) => Path.Combine(blobDirectory, cid.ToString());

    private void Load()
    {
        foreach (var temp in System.IO.Directory.EnumerateFiles(_blobDirectory, "*" + TempSuffix)) File.Delete(temp);
        foreach (var temp in System.IO.Directory.EnumerateFiles(Directory, "*" + TempSuffix)) File.Delete(temp);

        var dirty = false;
        if (File.Exists(_indexPath))
        {
            try
            {
                var file = JsonSerializer.Deserialize<IndexFile>(File.ReadAllBytes(_indexPath));
                foreach (var (text, entry) in file?.Blobs ?? [])
                {
                    if (ContentId.TryParse(text, out var cid) && File.Exists(BlobPath(cid))) _index[cid] = entry;
                    else dirty = true;
                }
            }
            catch (JsonException e)
            {
                _log.Warning("The blob index is unreadable ({Reason}); rebuilding it from the files", e.Message);
                dirty = true;
            }
        }

        foreach (var path in System.IO.Directory.EnumerateFiles(_blobDirectory))
        {
            var name = Path.GetFileName(path);
            if (!ContentId.TryParse(name, out var cid))
            {
                _log.Warning("Ignoring {File} in the blob directory: not a content id", name);
                continue;
            }
            if (_index.ContainsKey(cid)) continue;
            var content = File.ReadAllBytes(path);
            if (cid.Matches(content)) _index[cid] = new BlobEntry(content.Length, File.GetLastWriteTimeUtc(path));
            else Quarantine(cid, path);
            dirty = true;
        }
        if (dirty) SaveIndex();
        _log.Debug("Blob store open with {Count} blobs", _index.Count);
    }

    private void Quarantine(ContentId cid, string path)
    {
        _log.Warning("Blob {Cid} does not match its content id; moved to quarantine and never served", cid);
        _index.Remove(cid);
        System.IO.Directory.CreateDirectory(_quarantineDirectory);
        var target = Path.Combine(_quarantineDirectory, $"{cid}.{DateTime.UtcNow:yyyyMMddHHmmssfff}");
        try { File.Move(path, target, overwrite: true); }
        catch (IOException) { File.Delete(path); }
    }

    private void SaveIndex()
    {
        var file = new IndexFile(1, _index.ToDictionary(pair => pair.Key.ToString(), pair => pair.Value));
        WriteAtomically(_indexPath, JsonSerializer.SerializeToUtf8Bytes(file, new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Temp file in the same directory (so the rename cannot cross file systems), fsync, then rename over the target.</summary>
    private static void WriteAtomically(string path, ReadOnlySpan<byte> content)
    {
        var temp = $"{path}.{Guid.NewGuid():N}{TempSuffix}";
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                stream.Write(content);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
