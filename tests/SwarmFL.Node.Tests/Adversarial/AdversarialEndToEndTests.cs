using SwarmFL.Learning.Aggregation;
using SwarmFL.Node.Tests.Adversarial.Adversaries;
using SwarmFL.Node.Tests.EndToEnd;
using Xunit.Abstractions;

namespace SwarmFL.Node.Tests.Adversarial;

/// <summary>
/// Issue #13's adversarial end-to-end run (<see cref="AdversarialRun"/>): among three honest `swarmfl node` processes,
/// one member commits a NaN model, one a model of the wrong shape, one serves its model at a byte a second, one
/// claims 10^15 samples, and one, when elected, publishes a forged merge. Each fact asserts one item of the issue on the history `swarmfl audit --json` prints.
/// </summary>
public sealed class AdversarialEndToEndTests(AdversarialRun run, ITestOutputHelper output) : IClassFixture<AdversarialRun>
{
    private static readonly StringComparer Addresses = StringComparer.OrdinalIgnoreCase;
    private static IEnumerable<ulong> AllRounds => Enumerable.Range(1, (int)SmallSwarm.Rounds).Select(r => (ulong)r);

    private SmallSwarm Attacked => run.Attacked;
    private string Context => $"\n{Attacked.AuditProcess.StdErr}\n{Attacked.Logs()}";

    /// <summary>How many adversaries were members in <paramref name="round"/> with a commit the leader must drop.</summary>
    private int DroppingAdversaries(ulong round) => Attacked.Adversaries.Count(a => a.ExpectedDrop is not null && a.EffectiveRound <= round);

    private bool IsHonest(string member) => Attacked.HonestByAddress.Keys.Any(a => Addresses.Equals(a.ToString(), member));

    [Fact]
    public void Every_adversary_played_every_round_it_was_a_member_of()
    {
        output.WriteLine($"attacked run {Attacked.Elapsed:mm\\:ss}, reference run {run.Reference.Elapsed:mm\\:ss}");
        output.WriteLine(Attacked.Timeline());
        foreach (var adversary in Attacked.Adversaries)
        {
            Assert.True(Attacked.AdversaryFailures.TryGetValue(adversary, out var failure) && failure is null, $"{adversary.Name}: {failure}{Context}");
            IEnumerable<ulong> played = adversary is InflatedSamplesClaimant claimant ? claimant.Refusals.Keys : adversary.Commits.Keys;
            Assert.True(AllRounds.Where(r => r >= adversary.EffectiveRound).SequenceEqual(played.Order()),
                $"{adversary.Name} played rounds [{string.Join(", ", played.Order())}]\n{Attacked.Timeline()}");
        }
    }

    [Fact]
    public void Every_cluster_with_an_honest_committer_merges_every_round_from_the_honest_inputs_only()
    {
        foreach (var round in AllRounds.Select(Attacked.Audit.Round))
        {
            var clusters = round.Commits.Where(c => IsHonest(c.Member)).Select(c => c.Cluster).Distinct().ToList();
            Assert.NotEmpty(clusters);
            foreach (var cluster in clusters)
            {
                var merge = round.Merges.SingleOrDefault(m => m.Cluster == cluster && !m.Voided);
                Assert.True(merge is not null, $"round {round.Round} cluster {cluster} has no merge{Context}");
                Assert.True(IsHonest(merge.Leader), $"round {round.Round}: {merge.Leader} led, not an honest node");
                var honestInputs = round.Commits.Where(c => c.Cluster == cluster && IsHonest(c.Member)).Select(c => c.Model).Order();
                Assert.Equal(honestInputs, merge.Inputs.Order());
                Assert.Single(round.SemiGlobals, s => s.Cluster == cluster);
            }
        }
    }

    [Fact]
    public void Each_bad_input_is_dropped_on_chain_with_its_reason_and_only_those()
    {
        foreach (var round in AllRounds.Select(Attacked.Audit.Round))
        {
            var merge = Assert.Single(round.Merges, m => !m.Voided);
            var expected = Attacked.Adversaries
                .Where(a => a.ExpectedDrop is not null && a.Commits.ContainsKey(round.Round))
                .Select(a => (Id: a.Commits[round.Round].ToString(), Reason: (int)a.ExpectedDrop!.Value))
                .OrderBy(d => d.Id).ToList();
            Assert.True(expected.Count == DroppingAdversaries(round.Round), $"round {round.Round}: {expected.Count} adversaries committed\n{Attacked.Timeline()}");
            var recorded = (merge.Drops ?? []).Select(d => (d.Id, d.Reason)).OrderBy(d => d.Id).ToList();
            Assert.True(expected.SequenceEqual(recorded),
                $"round {round.Round}: expected drops [{string.Join(", ", expected)}], the chain records [{string.Join(", ", recorded)}]{Context}");
            // Each was fetched from the adversary, its only holder: the trickler's drop is a deadline that passed, not a
            // holder nobody knew of.
            foreach (var adversary in Attacked.Adversaries.Where(a => a.ExpectedDrop is not null))
                Assert.True(adversary.TimesAskedFor(adversary.Commits[round.Round]) >= 1, $"round {round.Round}: nobody asked {adversary.Name} for its model{Context}");
        }
    }

    [Fact]
    public void The_contract_refuses_a_commit_claiming_10_15_samples_and_that_model_reaches_no_merge()
    {
        var claimant = Attacked.Adversaries.OfType<InflatedSamplesClaimant>().Single();
        Assert.NotEmpty(claimant.Refusals);
        foreach (var (round, refusal) in claimant.Refusals)
        {
            Assert.Equal("TooManySamples", refusal.Reason.Name);
            Assert.Equal([(object)InflatedSamplesClaimant.ClaimedSamples, SmallSwarm.MaxSamples], refusal.Reason.Arguments.Select(a => (object)(ulong)(System.Numerics.BigInteger)a!));
            var history = Attacked.Audit.Round(round);
            Assert.DoesNotContain(history.Commits, c => Addresses.Equals(c.Member, claimant.Address.ToString()));
        }
        Assert.Empty(claimant.Commits);
        // No committed sample count is over the cap, so no merge can weigh anyone by more than it.
        Assert.All(Attacked.Audit.History.Rounds.SelectMany(r => r.Commits), c => Assert.InRange(c.Samples, 1ul, SmallSwarm.MaxSamples));
    }

    [Fact]
    public void The_forged_merge_is_voided_though_the_garbage_committers_never_object_and_its_leader_sits_out_the_cooldown()
    {
        var forgery = Attacked.Forger!.Forgery;
        Assert.True(forgery is not null, $"no forgery took\n{Attacked.Timeline()}");
        var round = Attacked.Audit.Round(forgery.Round);
        var voided = Assert.Single(round.Merges, m => m.Voided);
        Assert.Equal((forgery.Cluster, forgery.PublishedModel.ToString()), (voided.Cluster, voided.Model));
        Assert.True(Addresses.Equals(voided.Leader, forgery.Leader.ToString()), $"voided {voided.Leader}, forged by {forgery.Leader}");
        var redone = Assert.Single(round.Merges, m => !m.Voided);
        Assert.True(IsHonest(redone.Leader) && !Addresses.Equals(redone.Leader, forgery.Leader.ToString()), $"redone by {redone.Leader}");

        // The two other honest nodes objected; the three members whose inputs were dropped stayed silent, so the
        // objections were short of the majority of committers and the void came when the objection window closed.
        var events = Attacked.RoundEvents[forgery.Round];
        var objections = events.OfType<SwarmFL.Chain.Contracts.MergeObjected>().Where(o => o.Leader == forgery.Leader).ToList();
        Assert.True(objections.Count == SmallSwarm.HonestNodes - 1, $"{objections.Count} objections: [{string.Join(", ", objections)}]{Context}");
        Assert.All(objections, o => Assert.True(IsHonest(o.Member.ToString()) && o.Objections < o.Needed, o.ToString()));
        Assert.Single(events.OfType<SwarmFL.Chain.Contracts.MergeVoided>(), v => v.Leader == forgery.Leader);
        Assert.DoesNotContain(events.OfType<SwarmFL.Chain.Contracts.MergeSupported>(), s => s.Leader == forgery.Leader);
        Assert.DoesNotContain(events.OfType<SwarmFL.Chain.Contracts.MergeEndorsed>(), e => e.Leader == forgery.Leader);

        // No honest node trained on the forged model, and no semi-global combines it.
        // (a semi-global combines its round's standing merges, and the audit, which recomputes them, passed)
        Assert.DoesNotContain(Attacked.Audit.History.Rounds.SelectMany(r => r.Merges), m => !m.Voided && m.Model == voided.Model);
        Assert.NotEmpty(Attacked.Audit.History.Rounds.Single(r => r.Round == forgery.Round).SemiGlobals);
        foreach (var node in Attacked.Honest)
            Assert.DoesNotContain(node.ReadRounds(), r => r.BaseModel == voided.Model);
        // The forging leader is not elected in the leader cooldown's rounds (2 by default) that the run has.
        for (var r = forgery.Round + 1; r <= Math.Min(forgery.Round + 2, SmallSwarm.Rounds); r++)
            Assert.DoesNotContain(Attacked.RoundEvents[r].OfType<SwarmFL.Chain.Contracts.LeaderElected>(), e => e.Leader == forgery.Leader);
        // The audit lists the void under the forging leader.
        Assert.Contains(Attacked.Audit.Report.Findings, f => f.Round == forgery.Round && Addresses.Equals(f.Leader, forgery.Leader.ToString()) && f.Message.Contains("voided"));
    }

    [Fact]
    public void Every_merge_of_the_all_honest_run_is_endorsed_and_none_of_the_attacked_run_whose_garbage_committers_stay_silent()
    {
        for (var r = 1ul; r <= SmallSwarm.Rounds; r++)
        {
            var events = run.Reference.RoundEvents[r];
            var merges = events.OfType<SwarmFL.Chain.Contracts.MergePublished>().Select(m => (m.Cluster, m.Leader)).Order().ToList();
            var endorsed = events.OfType<SwarmFL.Chain.Contracts.MergeEndorsed>().Select(e => (e.Cluster, e.Leader)).Order().ToList();
            Assert.NotEmpty(merges);
            Assert.True(merges.SequenceEqual(endorsed), $"all-honest round {r}: merges [{string.Join(", ", merges)}], endorsed [{string.Join(", ", endorsed)}]\n{run.Reference.Timeline()}");
            Assert.Empty(Attacked.RoundEvents[r].OfType<SwarmFL.Chain.Contracts.MergeEndorsed>());
        }
    }

    [Fact]
    public void The_final_test_accuracy_is_within_one_point_of_the_all_honest_run_of_the_same_seed()
    {
        var attacked = FinalAccuracies(Attacked);
        var honest = FinalAccuracies(run.Reference);
        output.WriteLine($"final semi-global test accuracy per honest node: attacked [{string.Join(", ", attacked)}], all-honest [{string.Join(", ", honest)}]");
        Assert.Equal(SmallSwarm.HonestNodes, attacked.Count);
        for (var i = 0; i < attacked.Count; i++)
        {
            Assert.True(honest[i] > 0.5, $"the all-honest run did not learn: {honest[i]}\n{string.Join("\n", run.Reference.Honest[i].ReadRounds())}\n{run.Reference.Logs()}");
            Assert.True(Math.Abs(attacked[i] - honest[i]) <= 0.01, $"node {i}: {attacked[i]:P2} under attack, {honest[i]:P2} all-honest{Context}");
        }
    }

    private static List<double> FinalAccuracies(SmallSwarm swarm) =>
        swarm.Honest.Select(n => n.ReadRounds().Single(r => r.Round == SmallSwarm.Rounds).SemiGlobalTestAccuracy ?? double.NaN).ToList();

    [Fact]
    public void The_audit_verifies_the_run_and_lists_every_drop()
    {
        Assert.True(Attacked.AuditProcess.ExitCode == 0 && Attacked.Audit.Report.Passed, $"audit failed:\n{Attacked.AuditProcess.StdOut}{Context}");
        Assert.True(Attacked.AuditText.ExitCode == 0, $"audit (text) failed:\n{Attacked.AuditText.StdOut}");
        Assert.DoesNotContain(Attacked.Audit.Report.Findings, f => f.Severity == 2);
        var rounds = Attacked.Audit.History.Rounds.Where(r => r.Round <= SmallSwarm.Rounds).ToList();
        Assert.True(Attacked.Audit.Report.MergesRecomputed >= rounds.Sum(r => r.Merges.Count + r.SemiGlobals.Count),
            $"recomputed {Attacked.Audit.Report.MergesRecomputed} merges");
        var drops = rounds.SelectMany(r => r.Merges.Where(m => !m.Voided).SelectMany(m => (m.Drops ?? []).Select(d => (r.Round, d.Id, d.Reason)))).ToList();
        var expected = AllRounds.Sum(DroppingAdversaries);
        Assert.True(expected > 0 && drops.Count == expected, $"{drops.Count} drops recorded, {expected} expected\n{Attacked.Timeline()}");
        foreach (var (round, id, reason) in drops)
        {
            var listed = $"dropped {id} committed by";
            Assert.Contains(Attacked.Audit.Report.Findings, f => f.Round == round && f.Message.StartsWith(listed) && f.Message.EndsWith(InputRejection.Describe((RejectionReason)reason)));
            Assert.True(Attacked.AuditText.StdOut.Contains(listed), $"the audit's text does not list the drop of {id}:\n{Attacked.AuditText.StdOut}");
        }
    }
}
