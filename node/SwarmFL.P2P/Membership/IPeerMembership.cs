using SwarmFL.Crypto;

namespace SwarmFL.P2P.Membership;

/// <summary>
/// Who is a member of the swarm this host serves, answered from memory (never a chain call per question): the
/// Swarm layer keeps it from the contract's events. Members get the member limits and the members-only protocols;
/// everyone else is an outsider.
/// </summary>
public interface IPeerMembership
{
    bool IsMember(PeerId peer);
}

/// <summary>Membership for hosts that belong to no swarm.</summary>
public static class PeerMemberships
{
    /// <summary>Nobody is a member: every peer gets the outsider limits. The default of a bare host.</summary>
    public static IPeerMembership Nobody { get; } = new Fixed(false);
    /// <summary>Everybody is a member: for a standalone ring or a test network that has no chain to ask.</summary>
    public static IPeerMembership Everybody { get; } = new Fixed(true);

    private sealed class Fixed(bool answer) : IPeerMembership
    {
        public bool IsMember(PeerId peer) => answer;
    }
}
