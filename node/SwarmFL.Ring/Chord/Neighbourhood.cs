namespace SwarmFL.Ring.Chord;

/// <summary>A node's predecessor and successor list as one comparable value: equal when neither changed.</summary>
public static class Neighbourhood
{
    public static string Fingerprint(NodeRef? predecessor, IReadOnlyList<NodeRef> successors) =>
        string.Join(',', successors.Prepend(predecessor).Select(n => n?.Peer.ToString() ?? "-"));
}
