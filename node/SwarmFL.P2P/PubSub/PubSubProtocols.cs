namespace SwarmFL.P2P.PubSub;

/// <summary>The pubsub protocol ids this router speaks, in order of preference.</summary>
public static class PubSubProtocols
{
    public const string GossipSubV11 = "/meshsub/1.1.0";
    public const string GossipSubV10 = "/meshsub/1.0.0";

    /// <summary>Floodsub peers are served by flooding: they never join a mesh and receive no control messages.</summary>
    public const string FloodSub = "/floodsub/1.0.0";

    public static IReadOnlyList<string> All { get; } = [GossipSubV11, GossipSubV10, FloodSub];

    public static bool IsGossipSub(string? protocol) => protocol is GossipSubV11 or GossipSubV10;

    /// <summary>PRUNE backoff and peer exchange exist from gossipsub v1.1 on.</summary>
    public static bool SupportsPruneBackoff(string? protocol) => protocol is GossipSubV11;
}
