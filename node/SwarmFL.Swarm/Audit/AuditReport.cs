using SwarmFL.Crypto;

namespace SwarmFL.Swarm.Audit;

public enum FindingSeverity { Info, Unverified, Failure }

/// <summary>One thing the audit found, tied to the round, cluster and leader it concerns.</summary>
public sealed record AuditFinding(FindingSeverity Severity, ulong Round, int? Cluster, EthereumAddress? Leader, string Message)
{
    public override string ToString()
    {
        var where = Cluster is { } c ? $"round {Round} cluster {c}" : $"round {Round}";
        var who = Leader is { } l ? $" leader {l}" : "";
        return $"{Severity.ToString().ToUpperInvariant()}: {where}{who}: {Message}";
    }
}

public sealed record AuditReport(IReadOnlyList<AuditFinding> Findings, int MergesRecomputed, int HashesChecked)
{
    public bool Passed => Findings.All(f => f.Severity != FindingSeverity.Failure);
    public IEnumerable<AuditFinding> Failures => Findings.Where(f => f.Severity == FindingSeverity.Failure);
}
