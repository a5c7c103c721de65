using SwarmFL.Learning.Aggregation;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;
using SwarmFL.Swarm.Ports;

namespace SwarmFL.Swarm.Adapters;

/// <summary>
/// The merge port over SwarmFL.Learning: decode the canonical model files against the swarm's model spec, optionally
/// drop updates too far from the base model (deviation filter, k × median distance), aggregate with the named strategy.
/// Any refusal by the learning layer surfaces as <see cref="MergeRefusedException"/>: a merge is never produced from
/// inputs it did not accept.
/// </summary>
public sealed class LearningMergeEngine(TensorLayout layout, double? deviationLimit = null) : IMergeEngine
{
    private readonly TensorLayout _layout = layout;

    public LearningMergeEngine(ModelDefinition model, double? deviationLimit = null) : this(model.Layout, deviationLimit) { }

    public MergeResult Merge(string strategy, byte[] baseModel, IReadOnlyList<MergeInput> inputs)
    {
        try
        {
            var updates = inputs.Select(i => ModelUpdate.InMemory(SafeTensors.Decode(i.Model, _layout, $"model {i.Id}"), checked((long)i.Samples), i.Id.ToString())).ToList();
            var set = new UpdateSet(_layout, updates);
            var dropped = new List<(SwarmFL.Crypto.ContentId, string)>();
            if (deviationLimit is { } k && set.Count > 2)
            {
                var filtered = new DeviationFilter(k).Apply(set, SafeTensors.Decode(baseModel, _layout, "base model"));
                dropped.AddRange(filtered.Dropped.Select(d => (d.Update.Id, d.ToString())));
                set = new UpdateSet(_layout, filtered.Kept);
            }
            var merged = AggregationStrategies.Parse(strategy).Aggregate(set);
            return new MergeResult(merged.ToSafeTensors(), dropped);
        }
        catch (Exception e) when (e is AggregationException or ModelFileException or FormatException or ArgumentException or OverflowException)
        {
            throw new MergeRefusedException($"{strategy} refused its inputs: {e.Message}", e);
        }
    }
}
