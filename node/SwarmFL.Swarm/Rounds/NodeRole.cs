namespace SwarmFL.Swarm.Rounds;

public enum NodeRole { Observer, Member, Leader }

/// <summary>The live view's line for this node.</summary>
public sealed record NodeStatus(ulong Round, RoundPhase Phase, NodeRole Role, int? Cluster, string Activity,
    double? LocalAccuracy, double? BaseAccuracy, double? Progress);
