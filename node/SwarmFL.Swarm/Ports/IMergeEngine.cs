using SwarmFL.Crypto;
using SwarmFL.Learning.Aggregation;

namespace SwarmFL.Swarm.Ports;

/// <summary>
/// The swarm's deterministic aggregation (SwarmFL.Learning behind an adapter): identical inputs give identical bytes on
/// every node, in any order, which is what lets the audit recompute a leader's merge and compare it bit for bit.
/// </summary>
public interface IMergeEngine
{
    /// <param name="policy">The swarm's pinned aggregation policy, as <see cref="AggregationPolicy.Text"/>.</param>
    /// <remarks>Each input is validated on its own first; an invalid one is dropped and reported in the result, never a
    /// veto. Throws <see cref="MergeRefusedException"/> only when no valid input remains.</remarks>
    MergeResult Merge(string policy, byte[] baseModel, IReadOnlyList<MergeInput> inputs);
}

public sealed record MergeInput(ContentId Id, byte[] Model, ulong Samples);

/// <summary>An input a merge left out, with the reason code published on chain and a message for people.</summary>
public sealed record DroppedInput(ContentId Id, RejectionReason Reason, string Detail)
{
    public override string ToString() => $"{Id}: {InputRejection.Describe(Reason)}: {Detail}";
}

/// <summary>The merged model file, and the inputs validation or a filter dropped (with why).</summary>
public sealed record MergeResult(byte[] Model, IReadOnlyList<DroppedInput> Dropped);

/// <summary>No valid input remains (all were dropped, or there were none): no merge is produced.</summary>
public sealed class MergeRefusedException(string message, Exception? inner = null) : InvalidOperationException(message, inner);
