using SwarmFL.Crypto;
using SwarmFL.P2P.PubSub.Wire;

namespace SwarmFL.P2P.PubSub.Router;

/// <summary>
/// The gossipsub message cache (mcache): recent messages in heartbeat-sized windows. IWANT answers come from all
/// <c>historyLength</c> windows; IHAVE gossip announces the ids of the newest <c>gossipLength</c> windows. Each heartbeat
/// shifts the windows and forgets the oldest.
/// </summary>
internal sealed class MessageCache
{
    private sealed class Entry(Message message, string topic)
    {
        public Message Message { get; } = message;
        public string Topic { get; } = topic;
        public Dictionary<PeerId, int> Transmissions { get; } = new();
    }

    private readonly int _gossipLength;
    private readonly Dictionary<MessageId, Entry> _entries = new();
    private readonly LinkedList<List<(MessageId Id, string Topic)>> _windows = new();

    public MessageCache(int historyLength, int gossipLength)
    {
        if (gossipLength > historyLength) throw new ArgumentException("gossip windows must not exceed history windows");
        _gossipLength = gossipLength;
        for (var i = 0; i < historyLength; i++) _windows.AddLast(new List<(MessageId, string)>());
    }

    public int Count => _entries.Count;

    public void Put(MessageId id, Message message)
    {
        if (_entries.ContainsKey(id)) return;
        _entries[id] = new Entry(message, message.Topic);
        _windows.First!.Value.Add((id, message.Topic));
    }

    public bool TryGet(MessageId id, out Message? message)
    {
        message = _entries.TryGetValue(id, out var entry) ? entry.Message : null;
        return message is not null;
    }

    /// <summary>
    /// The message for an IWANT from <paramref name="peer"/>, counting how often that peer asked; null when unknown or
    /// when the peer already fetched it <paramref name="maxTransmissions"/> times.
    /// </summary>
    public Message? GetForPeer(MessageId id, PeerId peer, int maxTransmissions)
    {
        if (!_entries.TryGetValue(id, out var entry)) return null;
        var count = entry.Transmissions.GetValueOrDefault(peer) + 1;
        entry.Transmissions[peer] = count;
        return count > maxTransmissions ? null : entry.Message;
    }

    /// <summary>Ids of <paramref name="topic"/> in the gossip windows, newest first.</summary>
    public List<MessageId> GetGossipIds(string topic)
    {
        var ids = new List<MessageId>();
        var window = _windows.First;
        for (var i = 0; i < _gossipLength && window is not null; i++, window = window.Next)
            foreach (var (id, entryTopic) in window.Value)
                if (entryTopic == topic) ids.Add(id);
        return ids;
    }

    public void Shift()
    {
        var oldest = _windows.Last!.Value;
        _windows.RemoveLast();
        foreach (var (id, _) in oldest) _entries.Remove(id);
        oldest.Clear();
        _windows.AddFirst(oldest);
    }
}
