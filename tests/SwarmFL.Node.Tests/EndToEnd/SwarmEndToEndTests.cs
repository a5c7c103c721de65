using Xunit.Abstractions;

namespace SwarmFL.Node.Tests.EndToEnd;

/// <summary>
/// Issue #7's end-to-end tests, each asserting one item of the issue's list on the one swarm run of real processes that
/// <see cref="SwarmRun"/> performs (a Hardhat node, `swarmfl node`/`join` processes, `swarmfl audit`). History is read
/// from `swarmfl audit --json`, as a user would; per-node results from each node's rounds.jsonl.
/// </summary>
public sealed class SwarmEndToEndTests(SwarmRun run, ITestOutputHelper output) : IClassFixture<SwarmRun>
{
    private static readonly StringComparer Addresses = StringComparer.OrdinalIgnoreCase;
    private static IEnumerable<ulong> AllRounds => Enumerable.Range(1, (int)SwarmRun.Rounds).Select(r => (ulong)r);

    private IEnumerable<NodeProcess> InitialNodes => run.Nodes.Take(SwarmRun.InitialNodes);
    private string Context => $"\nmissed kills: [{string.Join("; ", run.MissedKills)}]\naudit:\n{run.GoodAuditProcess.StdErr}\n{run.Logs()}";

    private bool Committed(NodeProcess node, ulong round) =>
        run.GoodAudit.Round(round).Commits.Any(c => Addresses.Equals(c.Member, run.AddressOf(node).ToString()));

    private bool WasKilled(NodeProcess node) => node.Starts > 1;

    /// <summary>Members that failed as a leader (replaced, or their merge voided) within the leader cooldown before <paramref name="round"/>.</summary>
    private HashSet<string> CoolingDown(ulong round) =>
        AllRounds.Where(failed => failed <= round && round <= failed + SwarmRun.LeaderCooldown)
            .SelectMany(failed => run.GoodAudit.Round(failed).Leaders.Where(l => l.Replaced is not null).Select(l => l.Replaced!.ToLowerInvariant()))
            .ToHashSet();

    [Fact]
    public void Four_nodes_complete_every_round_with_rotating_leaders_and_rising_accuracy()
    {
        foreach (var round in AllRounds.Select(run.GoodAudit.Round))
        {
            Assert.NotEmpty(round.Commits);
            foreach (var cluster in round.CommittedClusters)
            {
                var merges = round.Merges.Count(m => m.Cluster == cluster && !m.Voided);
                // The contract skips a cluster whose every committer sits out the leader cooldown (the killed leader can
                // be alone in its cluster once the fifth node has joined): nobody may lead it.
                var committers = round.Commits.Where(c => c.Cluster == cluster).Select(c => c.Member.ToLowerInvariant());
                if (merges == 0 && committers.All(CoolingDown(round.Round).Contains)) continue;
                Assert.True(merges == 1, $"round {round.Round} cluster {cluster} has {merges} merges{Context}");
                Assert.True(round.SemiGlobals.Count(s => s.Cluster == cluster) == 1, $"round {round.Round} cluster {cluster} has no semi-global model{Context}");
            }
        }
        foreach (var node in InitialNodes)
        {
            // A killed node commits in its kill round (it died merging) and again after its restart; the others in every round.
            var missed = AllRounds.Where(r => !Committed(node, r)).ToList();
            Assert.True(WasKilled(node) ? missed.Count <= 1 : missed.Count == 0, $"{node.Name} did not commit in rounds [{string.Join(", ", missed)}]{Context}");
        }

        // Leaders are drawn per round: among rounds whose clusters had the same committers, the elected leaders are not
        // the same every time. (Each such pair of rounds has a 1/4 or better chance of the same draw; the run has
        // several, so this fails by chance well under 1 % of runs.)
        var draws = AllRounds.Select(run.GoodAudit.Round).Select(round => (
            Clusters: string.Join(" | ", round.Commits.GroupBy(c => c.Cluster).OrderBy(g => g.Key).Select(g => string.Join(",", g.Select(c => c.Member.ToLowerInvariant()).Order()))),
            Leaders: string.Join(" | ", round.Leaders.Where(l => l.Replaced is null).OrderBy(l => l.Cluster).Select(l => l.Leader.ToLowerInvariant())))).ToList();
        var sameCommitters = draws.GroupBy(d => d.Clusters).Where(g => g.Count() >= 2).ToList();
        Assert.NotEmpty(sameCommitters);
        Assert.True(sameCommitters.Any(g => g.Select(d => d.Leaders).Distinct().Count() > 1),
            $"the same leaders were elected whenever the committers were the same:\n{string.Join("\n", draws.Select(d => $"{d.Clusters} => {d.Leaders}"))}");

        foreach (var node in InitialNodes.Where(n => !WasKilled(n)))
        {
            var accuracy = node.ReadRounds().Select(r => r.SemiGlobalTestAccuracy ?? double.NaN).ToArray();
            Assert.True(accuracy.Length == (int)SwarmRun.Rounds && accuracy[0] > 0.5 && accuracy[^1] > accuracy[0],
                $"{node.Name}: test accuracy of its cluster's semi-global model per round: {string.Join(", ", accuracy)}");
        }
    }

    [Fact]
    public void The_leader_killed_during_its_merge_is_replaced_the_round_completes_and_no_committed_model_is_lost()
    {
        output.WriteLine(run.Timeline());
        var kill = run.Kill;
        Assert.True(kill is not null, $"no leader could be killed before it published its merge{Context}");
        var round = run.GoodAudit.Round(kill.Round);
        var victim = kill.VictimAddress.ToString();

        var replacement = round.Leaders.SingleOrDefault(l => l.Cluster == kill.Cluster && Addresses.Equals(l.Replaced, victim));
        Assert.True(replacement is not null, $"the audit shows no replacement of {victim} in round {kill.Round} cluster {kill.Cluster}{Context}");
        Assert.True(replacement.Attempt >= 1);
        var merge = Assert.Single(round.Merges, m => m.Cluster == kill.Cluster && !m.Voided);
        Assert.Equal(replacement.Leader, merge.Leader, Addresses);
        Assert.NotEqual(victim, merge.Leader, Addresses);

        // Every model committed in that cluster went into the merge, the dead leader's own included (from ring replicas).
        var committed = round.Commits.Where(c => c.Cluster == kill.Cluster).ToList();
        Assert.Contains(committed, c => Addresses.Equals(c.Member, victim));
        Assert.Equal(committed.Select(c => c.Model).Order(), merge.Inputs.Order());

        foreach (var cluster in round.CommittedClusters)
            Assert.Single(round.SemiGlobals, s => s.Cluster == cluster);
        Assert.Contains(run.GoodAudit.Report.Findings, f => f.Round == kill.Round && f.Cluster == kill.Cluster && Addresses.Equals(f.Leader, victim) && f.Message.Contains("replaced"));
    }

    [Fact]
    public void A_fifth_node_joins_by_peer_address_mid_run_and_commits_from_the_next_round_on()
    {
        var joinedAt = run.JoinerEffectiveRound;
        Assert.InRange(joinedAt, 2ul, SwarmRun.Rounds - 1); // it joined after round 1, and had rounds left to take part in
        Assert.All(AllRounds.Where(r => r < joinedAt), r => Assert.False(Committed(run.Joiner, r), $"the joiner committed in round {r}, before its membership began"));
        var missed = AllRounds.Where(r => r >= joinedAt && !Committed(run.Joiner, r)).ToList();
        Assert.True(WasKilled(run.Joiner) ? missed.Count <= 1 && Committed(run.Joiner, joinedAt) : missed.Count == 0,
            $"the joiner (member from round {joinedAt}) did not commit in rounds [{string.Join(", ", missed)}]{Context}");

        var results = run.Joiner.ReadRounds();
        Assert.Contains(results, r => r.Round == joinedAt && r.LocalModel is not null && r.SemiGlobalModel is not null);
    }

    [Fact]
    public void The_audit_verifies_every_merge_of_the_run_and_names_the_round_cluster_and_leader_of_a_tampered_one()
    {
        Assert.True(run.GoodAuditProcess.ExitCode == 0 && run.GoodAudit.Report.Passed, $"audit of the honest run failed:\n{run.GoodAuditProcess.StdOut}{Context}");
        Assert.DoesNotContain(run.GoodAudit.Report.Findings, f => f.Severity != 0); // nothing unverified: every weight was reachable
        var rounds = run.GoodAudit.History.Rounds;
        Assert.Equal(rounds.Sum(r => r.Merges.Count + r.SemiGlobals.Count), run.GoodAudit.Report.MergesRecomputed);
        Assert.True(run.GoodAudit.Report.MergesRecomputed >= 2 * 2 * (int)SwarmRun.Rounds);

        var swapped = run.StoreTampering;
        Assert.True(swapped.Audit.ExitCode != 0, $"the audit passed over model stores with a swapped cluster model:\n{swapped.Audit.StdOut}");
        var swapFailure = $"FAILURE: round {swapped.Merge.Round} cluster {swapped.Merge.Cluster} leader {swapped.Merge.Leader}: the bytes found for cluster model {swapped.Merge.Model} do not hash to it";
        Assert.True(swapped.Audit.StdOut.Contains(swapFailure), $"expected '{swapFailure}' in:\n{swapped.Audit.StdOut}\n{swapped.Audit.StdErr}");

        var forgery = run.Forgery;
        Assert.True(run.TamperedAudit.ExitCode != 0, $"the audit passed a run with a forged merge:\n{run.TamperedAudit.StdOut}");
        var failure = $"FAILURE: round {forgery.Round} cluster {forgery.Cluster} leader {forgery.Leader}: published merge {forgery.PublishedModel}, but its inputs aggregate to";
        Assert.True(run.TamperedAudit.StdOut.Contains(failure), $"expected '{failure}' in:\n{run.TamperedAudit.StdOut}\n{run.TamperedAudit.StdErr}");
        Assert.Contains("audit FAILED", run.TamperedAudit.StdOut);
    }

    [Fact]
    public void A_merge_forged_while_the_swarm_runs_is_voided_on_chain_and_no_honest_node_trains_on_it()
    {
        var forgery = run.LiveForgery;
        Assert.True(forgery is not null, $"no live forgery took: [{string.Join("; ", run.MissedForgeries)}]{Context}");
        var round = run.GoodAudit.Round(forgery.Round);
        var voided = Assert.Single(round.Merges, m => m.Voided);
        Assert.Equal((forgery.Cluster, forgery.PublishedModel.ToString()), (voided.Cluster, voided.Model));
        Assert.True(Addresses.Equals(voided.Leader, forgery.Leader.ToString()), $"voided {voided.Leader}, forged by {forgery.Leader}");
        // The cluster merged anyway: the other committer objected, became the leader and redid the merge from every input.
        var redone = Assert.Single(round.Merges, m => m.Cluster == forgery.Cluster && !m.Voided);
        Assert.False(Addresses.Equals(redone.Leader, forgery.Leader.ToString()));
        Assert.Equal(forgery.Inputs.Select(i => i.ToString()).Order(), redone.Inputs.Order());
        // The round's semi-globals combine its standing merges (the audit recomputes them), and the forged one is not among them.
        Assert.NotEmpty(round.SemiGlobals);
        Assert.DoesNotContain(round.Merges, m => !m.Voided && m.Model == voided.Model);
        // No node's base model, in any later round, is the forged model.
        foreach (var node in run.Nodes)
            Assert.DoesNotContain(node.ReadRounds(), r => r.Round > forgery.Round && r.BaseModel == voided.Model);
        // The audit passed (another test checks it) and lists the void under the forging leader.
        Assert.Contains(run.GoodAudit.Report.Findings, f => f.Round == forgery.Round && f.Cluster == forgery.Cluster
            && Addresses.Equals(f.Leader, forgery.Leader.ToString()) && f.Message.Contains("voided"));
    }

    [Fact]
    public void A_node_killed_mid_run_restarts_on_its_data_directory_resumes_and_leaves_it_intact()
    {
        var kill = run.Kill;
        Assert.True(kill is not null, $"no node was killed{Context}");
        var node = kill.Victim;
        Assert.True(node.Starts >= 2 && node.ExitCode == 0, $"{node.Name}: {node.Starts} starts, exit code {node.ExitCode}");

        // It picked up where it was: one line per round, in order, the rounds it was down for (or whose line was still
        // queued when it died) rebuilt from the chain and its saved state — the kill round's with the model it committed.
        var results = node.ReadRounds();
        Assert.Equal(AllRounds, results.Select(r => r.Round));
        Assert.NotNull(results.Single(r => r.Round == kill.Round).LocalModel);
        var later = AllRounds.Where(r => r > kill.Round && Committed(node, r)).ToList();
        Assert.True(later.Count > 0, $"{node.Name} never committed again after round {kill.Round}{Context}");
        Assert.Contains(results, r => r.Round > kill.Round && r.LocalModel is not null);

        foreach (var (each, problems) in run.DataDirectoryProblems)
            Assert.True(problems.Count == 0, $"{each.Name}'s data directory:\n  {string.Join("\n  ", problems)}");
        Assert.True(run.GoodAuditProcess.ExitCode == 0, "the audit over every data directory, the restarted node's included, failed");
    }
}
