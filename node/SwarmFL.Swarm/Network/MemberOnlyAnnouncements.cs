using SwarmFL.P2P.Membership;
using SwarmFL.P2P.PubSub;
using SwarmFL.P2P.Resources;

namespace SwarmFL.Swarm.Network;

/// <summary>
/// The gossip validator of the swarm's topic: only registered members speak on it. The member set is kept from the
/// chain's events (<see cref="MemberDirectory"/>), so an outsider's message costs a set lookup, never a chain call; it
/// is ignored rather than rejected, so a member registered a moment ago is not penalised before the next refresh
/// sees it. A message that is not an announcement at all is rejected.
/// </summary>
public static class MemberOnlyAnnouncements
{
    public static MessageValidator Validator(IPeerMembership members, ResourceManager resources) => (message, _) =>
    {
        if (GossipAnnouncer.TryDecode(message) is null) return ValueTask.FromResult(ValidationResult.Reject);
        if (!members.IsMember(message.From))
        {
            resources.Refuse(RefusedKind.Message, RefusalReason.NonMemberMessage, message.From.ToString());
            return ValueTask.FromResult(ValidationResult.Ignore);
        }
        return ValueTask.FromResult(ValidationResult.Accept);
    };
}
