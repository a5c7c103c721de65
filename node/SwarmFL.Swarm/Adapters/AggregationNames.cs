using SwarmFL.Chain.Contracts;
using SwarmFL.Learning.Aggregation;

namespace SwarmFL.Swarm.Adapters;

/// <summary>
/// Between the contract's aggregation fields and SwarmFL.Learning, which owns the strategy names and the policy text:
/// the strategy id a policy's strategy has, and the policy a swarm pinned (its text with the contract's sample cap).
/// </summary>
public static class AggregationNames
{
    public static AggregationStrategy IdOf(IAggregationStrategy strategy) =>
        (AggregationStrategy)AggregationStrategies.IdOf(strategy);

    /// <summary>The policy every leader, checker and audit of the swarm applies: its pinned text, capped at its maxSamples.</summary>
    /// <exception cref="FormatException">The pinned text is not a policy this node can apply.</exception>
    public static string PolicyOf(AggregationRules rules) =>
        (AggregationPolicy.Parse(rules.Policy) with { MaxSamples = rules.MaxSamples > long.MaxValue ? long.MaxValue : (long)rules.MaxSamples }).Text;
}
