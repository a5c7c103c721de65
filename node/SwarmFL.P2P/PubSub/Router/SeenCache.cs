namespace SwarmFL.P2P.PubSub.Router;

/// <summary>
/// Message ids seen within the last TTL (the spec's seen-cache / time cache). A message whose id is here is a
/// duplicate and is neither delivered nor forwarded again. Entries expire in insertion order, so expiry is a queue walk.
/// </summary>
internal sealed class SeenCache(TimeSpan ttl)
{
    private readonly Dictionary<MessageId, DateTimeOffset> _expiry = new();
    private readonly Queue<(MessageId Id, DateTimeOffset Expiry)> _order = new();

    public int Count => _expiry.Count;

    public bool Contains(MessageId id) => _expiry.ContainsKey(id);

    /// <summary>Records the id; false when it was already there (a duplicate).</summary>
    public bool TryAdd(MessageId id, DateTimeOffset now)
    {
        var expiry = now + ttl;
        if (!_expiry.TryAdd(id, expiry)) return false;
        _order.Enqueue((id, expiry));
        return true;
    }

    public void Prune(DateTimeOffset now)
    {
        while (_order.TryPeek(out var oldest) && oldest.Expiry <= now)
        {
            _order.Dequeue();
            _expiry.Remove(oldest.Id);
        }
    }
}
