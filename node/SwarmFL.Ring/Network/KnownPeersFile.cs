using System.Text.Json;
using SwarmFL.Crypto;
using SwarmFL.Ring.Chord;

namespace SwarmFL.Ring.Network;

/// <summary>
/// The ring members a node last knew (its successors and predecessor), kept in its data directory: a node restarted
/// without a peer to join through finds its way back into its ring through them, instead of starting a ring of its own
/// that nobody would ever dial. Written only when the set changes, atomically (temp file, then rename).
/// </summary>
public sealed class KnownPeersFile(string path)
{
    private sealed record Entry(string Peer, string[] Addresses);

    private string _lastWritten = "";

    public string Path => path;

    /// <summary>The saved peers; nothing when the file is missing or unreadable (a new ring is then the only choice).</summary>
    public IReadOnlyList<NodeRef> Load()
    {
        try
        {
            var entries = JsonSerializer.Deserialize<List<Entry>>(File.ReadAllBytes(path)) ?? [];
            var peers = new List<NodeRef>();
            foreach (var entry in entries)
                if (PeerId.TryParse(entry.Peer, out var peer, out _)) peers.Add(new NodeRef(peer, entry.Addresses ?? []));
            return peers;
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>Remembers these peers; an empty set (a node alone for a moment) keeps the previous ones.</summary>
    public void Save(IEnumerable<NodeRef> peers)
    {
        var entries = peers.Where(p => p.Addresses.Count > 0).Distinct().Select(p => new Entry(p.Peer.ToString(), [.. p.Addresses])).ToList();
        if (entries.Count == 0) return;
        var json = JsonSerializer.Serialize(entries);
        if (json == _lastWritten) return;
        var temp = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            File.WriteAllText(temp, json);
            File.Move(temp, path, overwrite: true);
            _lastWritten = json;
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
