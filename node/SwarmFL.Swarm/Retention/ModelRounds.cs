using SwarmFL.Chain.Contracts;
using SwarmFL.Crypto;

namespace SwarmFL.Swarm.Retention;

/// <summary>
/// For every model the contract's events name: the newest round that names it, and whether it is part of the lineage
/// (a cluster merge or a semi-global; a model can be both a commit and a merge when a merge reproduces an input).
/// </summary>
public sealed class ModelRounds
{
    private readonly Dictionary<ContentId, (ulong Newest, bool Lineage)> _named = [];

    public static ModelRounds Empty { get; } = new();

    public int Count => _named.Count;

    public static ModelRounds From(IEnumerable<SwarmEvent> events)
    {
        var rounds = new ModelRounds();
        foreach (var e in events)
        {
            switch (e)
            {
                case ModelCommitted c: rounds.Name(c.ModelId, c.Round, lineage: false); break;
                case MergePublished m: rounds.Name(m.ModelId, m.Round, lineage: true); break;
                case SemiGlobalPublished s: rounds.Name(s.ModelId, s.Round, lineage: true); break;
            }
        }
        return rounds;
    }

    public bool TryGet(ContentId id, out ulong newestRound, out bool lineage)
    {
        var found = _named.TryGetValue(id, out var entry);
        (newestRound, lineage) = entry;
        return found;
    }

    private void Name(byte[] digest, ulong round, bool lineage)
    {
        var id = ContentId.FromDigest(digest);
        _named[id] = _named.TryGetValue(id, out var known) ? (Math.Max(known.Newest, round), known.Lineage || lineage) : (round, lineage);
    }
}
