using SwarmFL.Learning.Aggregation;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;
using SwarmFL.Swarm.Ports;

namespace SwarmFL.Swarm.Adapters;

/// <summary>
/// The merge port over SwarmFL.Learning: every input is validated against the swarm's model layout on its own and
/// dropped with its reason when it fails, then <see cref="AggregationPolicy.Merge"/> caps, filters and aggregates the
/// rest. Only a merge with no valid input left surfaces as <see cref="MergeRefusedException"/>.
/// </summary>
public sealed class LearningMergeEngine(TensorLayout layout) : IMergeEngine
{
    private readonly TensorLayout _layout = layout;

    public LearningMergeEngine(ModelDefinition model) : this(model.Layout) { }

    public MergeResult Merge(string policyText, byte[] baseModel, IReadOnlyList<MergeInput> inputs)
    {
        AggregationPolicy policy;
        try { policy = AggregationPolicy.Parse(policyText); }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new MergeRefusedException($"the swarm's aggregation policy '{policyText}' cannot be read: {e.Message}", e);
        }
        try
        {
            var reference = policy.NeedsBaseModel ? SafeTensors.Decode(baseModel, _layout, "base model") : null;
            var report = policy.MergeModels(_layout, inputs.Select(i => (i.Id, i.Model, i.Samples > long.MaxValue ? long.MaxValue : (long)i.Samples)), reference);
            return new MergeResult(report.Model.ToSafeTensors(), report.Dropped.Select(d => new DroppedInput(d.Id!.Value, d.Reason, d.Detail)).ToList());
        }
        catch (Exception e) when (e is AggregationException or ModelFileException or ArgumentException)
        {
            throw new MergeRefusedException($"{policyText} refused its inputs: {e.Message}", e);
        }
    }
}
