using SwarmFL.Chain.Contracts;
using SwarmFL.Swarm.Audit;

namespace SwarmFL.Swarm.Adapters;

/// <summary>Builds the audit's view of a swarm from the contract's events alone.</summary>
public static class ChainHistoryReader
{
    public static async Task<SwarmHistory> ReadAsync(SwarmCoordinator contract, CancellationToken ct)
    {
        var rules = ChainCoordinator.ToRules(await contract.ConfigAsync(ct), await contract.AggregationRulesAsync(ct));
        var events = await contract.GetEventsAsync(ct: ct);
        return FromEvents(rules, events);
    }

    public static SwarmHistory FromEvents(SwarmFL.Swarm.Rounds.SwarmRules rules, IReadOnlyList<SwarmEvent> events)
    {
        var rounds = events.OfType<ModelCommitted>().Select(e => e.Round)
            .Union(events.OfType<RoundOpened>().Select(e => e.Round))
            .Distinct().Order()
            .Select(round => new RoundHistory(
                round,
                events.OfType<ModelCommitted>().Where(e => e.Round == round).Select(ChainCoordinator.ToCommit).ToList(),
                // A replacement (or a void) emits LeaderReplaced (MergeVoided) and then LeaderElected for the same attempt:
                // keep the former, which names both.
                events.Where(e => e is LeaderElected le && le.Round == round
                                  && !events.OfType<LeaderReplaced>().Any(r => r.Round == round && r.Cluster == le.Cluster && r.Attempt == le.Attempt)
                                  && !events.OfType<MergeVoided>().Any(v => v.Round == round && v.Cluster == le.Cluster && v.Attempt == le.Attempt)
                                  || e is LeaderReplaced lr && lr.Round == round
                                  || e is MergeVoided mv && mv.Round == round)
                    .Select(e => e switch
                    {
                        LeaderElected le => new LeaderEvent((int)le.Cluster, le.Leader, (int)le.Attempt, null),
                        LeaderReplaced lr => new LeaderEvent((int)lr.Cluster, lr.NextLeader, (int)lr.Attempt, lr.FailedLeader),
                        MergeVoided mv => new LeaderEvent((int)mv.Cluster, mv.NextLeader, (int)mv.Attempt, mv.Leader, Voided: true),
                        _ => throw new InvalidOperationException(),
                    }).ToList(),
                ChainCoordinator.MergesOf(events, round).ToList(),
                events.OfType<SemiGlobalPublished>().Where(e => e.Round == round).Select(ChainCoordinator.ToSemiGlobal).ToList()))
            .ToList();
        return new SwarmHistory(rules, rounds);
    }
}
