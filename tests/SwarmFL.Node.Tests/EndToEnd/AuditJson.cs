using System.Text.Json;

namespace SwarmFL.Node.Tests.EndToEnd;

/// <summary>
/// What `swarmfl audit --json` prints, read the way a user's script would: only from the JSON text, with addresses and
/// content ids as strings.
/// </summary>
public sealed record AuditJson(AuditJson.HistoryJson History, AuditJson.ReportJson Report)
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true };

    public static AuditJson Parse(string json) =>
        JsonSerializer.Deserialize<AuditJson>(json, Options) ?? throw new JsonException("audit --json printed null");

    public RoundJson Round(ulong round) =>
        History.Rounds.SingleOrDefault(r => r.Round == round) ?? throw new InvalidOperationException($"the audit has no round {round}");

    public sealed record HistoryJson(IReadOnlyList<RoundJson> Rounds);

    public sealed record RoundJson(ulong Round, IReadOnlyList<CommitJson> Commits, IReadOnlyList<LeaderJson> Leaders,
        IReadOnlyList<MergeJson> Merges, IReadOnlyList<SemiGlobalJson> SemiGlobals)
    {
        public IReadOnlyList<int> CommittedClusters => Commits.Select(c => c.Cluster).Distinct().Order().ToList();
    }

    public sealed record CommitJson(ulong Round, int Cluster, string Member, string Model, ulong Samples, uint MetricPpm);

    /// <summary>An election (Replaced null) or a replacement of <see cref="Replaced"/> by <see cref="Leader"/>.</summary>
    public sealed record LeaderJson(int Cluster, string Leader, int Attempt, string? Replaced);

    public sealed record MergeJson(ulong Round, int Cluster, string Leader, string Model, IReadOnlyList<string> Inputs, IReadOnlyList<DropJson>? Drops = null,
        bool Voided = false);

    /// <summary>A committed model the merge left out, with the reason code the leader recorded on chain (RejectionReason).</summary>
    public sealed record DropJson(string Id, int Reason);

    /// <summary>A semi-global model: it combines the round's standing merges (those not <see cref="MergeJson.Voided"/>).</summary>
    public sealed record SemiGlobalJson(ulong Round, int Cluster, string Leader, string Model);

    public sealed record ReportJson(IReadOnlyList<FindingJson> Findings, int MergesRecomputed, int HashesChecked, bool Passed);

    /// <summary>Severity as the audit's enum number: 0 info, 1 unverified, 2 failure.</summary>
    public sealed record FindingJson(int Severity, ulong Round, int? Cluster, string? Leader, string Message);
}
