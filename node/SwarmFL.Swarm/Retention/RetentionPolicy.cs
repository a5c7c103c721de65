using SwarmFL.Crypto;

namespace SwarmFL.Swarm.Retention;

/// <summary>
/// How long a node keeps the models in its store, counted in rounds (docs/node-files.md, "Retention"). A model is
/// dated by the newest round in which the chain names it (a commit, a cluster merge or a semi-global). The round in
/// progress and the <see cref="Rounds"/> rounds before it are kept; the merged models of the lineage (cluster merges
/// and semi-globals) are kept for <see cref="LineageRounds"/>, by default for ever, so that `audit --verify` can still
/// recompute every semi-global and the merges whose inputs are kept. Models the chain does not name are kept: the
/// swarm's genesis model and model file, and a commit still on its way to the chain.
/// </summary>
public sealed record RetentionPolicy
{
    public const int DefaultRounds = 10;

    /// <summary>Closed rounds whose models are kept besides the round in progress; 0 keeps every model.</summary>
    public int Rounds { get; init; } = DefaultRounds;

    /// <summary>Rounds the lineage's merged models are kept; 0 keeps them for ever. Never shorter than <see cref="Rounds"/>.</summary>
    public int LineageRounds { get; init; }

    public static RetentionPolicy KeepEverything { get; } = new() { Rounds = 0 };

    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (Rounds < 0) problems.Add($"--retention must be 0 (keep every model) or a number of rounds, not {Rounds}");
        if (LineageRounds < 0) problems.Add($"--lineage-retention must be 0 (keep the merged models for ever) or a number of rounds, not {LineageRounds}");
        else if (LineageRounds > 0 && Rounds > 0 && LineageRounds < Rounds)
            problems.Add($"--lineage-retention {LineageRounds} is shorter than --retention {Rounds}: merged models are kept at least as long as the rest");
        return problems;
    }

    /// <summary>Whether the model <paramref name="id"/> is no longer needed while round <paramref name="currentRound"/> runs.</summary>
    public bool IsExpired(ModelRounds named, ContentId id, ulong currentRound)
    {
        if (Rounds == 0 || !named.TryGet(id, out var newest, out var lineage)) return false;
        if (newest >= Oldest(currentRound, Rounds)) return false;
        return !lineage || LineageRounds > 0 && newest < Oldest(currentRound, LineageRounds);
    }

    /// <summary>The oldest round kept: the round in progress and the <paramref name="rounds"/> before it.</summary>
    private static ulong Oldest(ulong currentRound, int rounds) => currentRound > (ulong)rounds ? currentRound - (ulong)rounds : 0;
}
