using SwarmFL.Crypto;

namespace SwarmFL.Swarm.Ports;

/// <summary>
/// The swarm's deterministic aggregation (SwarmFL.Learning behind an adapter): identical inputs give identical bytes on
/// every node, in any order, which is what lets the audit recompute a leader's merge and compare it bit for bit.
/// </summary>
public interface IMergeEngine
{
    MergeResult Merge(string strategy, byte[] baseModel, IReadOnlyList<MergeInput> inputs);
}

public sealed record MergeInput(ContentId Id, byte[] Model, ulong Samples);

/// <summary>The merged model file, and the inputs a filter dropped (with why).</summary>
public sealed record MergeResult(byte[] Model, IReadOnlyList<(ContentId Id, string Reason)> Dropped);

/// <summary>The aggregation refused its inputs (wrong shapes, NaN or Inf, nothing to merge): no merge is produced.</summary>
public sealed class MergeRefusedException(string message, Exception? inner = null) : InvalidOperationException(message, inner);
