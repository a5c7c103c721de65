using System.Diagnostics;
using System.Globalization;
using System.Text;
using SwarmFL.Crypto;
using SwarmFL.Ring.Chord;
using SwarmFL.Ring.Identifiers;

namespace SwarmFL.Ring.Simulation;

public sealed record HopsResult(bool ViaSuccessorList, int Nodes, int SuccessorList, int Lookups, int Correct, double MeanHops, int P50, int P99, int MaxHops, int BuildRounds, TimeSpan Elapsed)
{
    public double PaperMean => 0.5 * Math.Log2(Nodes);
    public double Deviation => MeanHops / PaperMean - 1;
}

public sealed record FailureResult(int Nodes, double Fraction, int SuccessorList, int Replicas, int Models,
    double SuccessBeforeRepair, int RoundsToCorrect, double SuccessAfterRepair, double MeanHopsAfter, int ModelsLost,
    int ModelsRetrievable, int ModelsFullyReplicatedAfterRepair);

public sealed record BurstResult(int InitialNodes, int Joiners, int SuccessorList, int RoundsToSuccessors, int RoundsToCorrect, double SuccessAfter);

/// <summary>
/// The ring simulation: lookup hops on grown rings, simultaneous failures, bursts of joins. Deterministic for a seed.
/// Time is counted in maintenance rounds (every live node stabilizes once per round, in random order); with the default
/// 1 s stabilize interval a round is about a second.
/// </summary>
public sealed class RingExperiments(int seed, TextWriter? progress = null)
{

    internal const string Notes = """
## Reading the figures

- Path length: finger-only routing reproduces the paper's ½·log₂ N within a few percent; routing through the
  successor list as well (the default) saves the last one or two hops. Every lookup found the true owner.
- Failures: right after a mass failure many lookups end at a dead owner or a stale finger; after the rounds shown,
  every successor list is exact again and 100 % of lookups succeed. With 3 replicas a model is lost only when all
  three holders fail together: 0.2³ = 0.8 % expected at 20 % failure (0.5³ = 12.5 % at 50 %), which is what the
  table shows; 5 replicas lose none at 20 %, and r = ⌈log₂ N⌉ replicas lose none even at 50 %. Choose the replica
  count from the failure rate you must survive.
- Bursts: a burst of joins the size of the ring settles in tens of rounds; a ring of 10 absorbing 1000 joiners
  needs hundreds, because all joiners queue up on the few original successor pointers and are linked in one by one.
""";

    private void Say(string text) => progress?.WriteLine(text);

    public async Task<HopsResult> LookupHopsAsync(int nodes, int lookups, bool viaSuccessorList)
    {
        var watch = Stopwatch.StartNew();
        var ring = new SimulatedRing(seed + nodes, ChordOptions.ForExpectedSize(nodes) with { RouteViaSuccessorList = viaSuccessorList });
        await ring.BuildAsync(nodes);
        var hops = new List<int>(lookups);
        var correct = 0;
        for (var i = 0; i < lookups; i++)
        {
            var key = ring.RandomKey();
            var result = await ring.RandomLiveNode().Chord.FindSuccessorAsync(key);
            hops.Add(result.Hops);
            if (result.Owner == ring.TrueOwner(key).Self) correct++;
        }
        hops.Sort();
        var outcome = new HopsResult(viaSuccessorList, nodes, ring.Options.SuccessorListLength, lookups, correct, hops.Average(), Percentile(hops, 0.5), Percentile(hops, 0.99), hops[^1], ring.BuildRounds, watch.Elapsed);
        Say($"hops N={nodes} via successor list {viaSuccessorList}: mean {outcome.MeanHops:F2} (paper {outcome.PaperMean:F2}), p99 {outcome.P99}, correct {correct}/{lookups}");
        return outcome;
    }

    public async Task<FailureResult> FailuresAsync(int nodes, double fraction, int replicas, int models, int lookups)
    {
        var ring = new SimulatedRing(seed + nodes + (int)(fraction * 1000) + replicas, ChordOptions.ForExpectedSize(nodes), replicas);
        await ring.BuildAsync(nodes);
        var cids = new List<ContentId>(models);
        var payload = new byte[256];
        for (var i = 0; i < models; i++)
        {
            ring.Random.NextBytes(payload);
            cids.Add((await ring.RandomLiveNode().Store!.PutAsync(payload)).Cid);
        }

        ring.FailFraction(fraction);
        var before = await LookupSuccessAsync(ring, lookups);
        var rounds = await ring.StabilizeUntilCorrectAsync(maxRounds: 200);
        await ring.RunRoundAsync(fixFingers: true);
        var (after, meanHops) = await LookupSuccessWithHopsAsync(ring, lookups);

        var lost = cids.Count(cid => !ring.Live.Any(node => node.Blobs!.Contains(cid)));
        var retrievable = 0;
        foreach (var cid in cids)
        {
            if (await ring.RandomLiveNode().Store!.GetAsync(cid) is not null) retrievable++;
        }
        await ring.RunRoundAsync(repairStore: true);
        var full = cids.Count(cid => FullyReplicated(ring, cid, replicas));
        var outcome = new FailureResult(nodes, fraction, ring.Options.SuccessorListLength, replicas, models, before, rounds, after, meanHops, lost, retrievable, full);
        Say($"failures N={nodes} p={fraction:P0} replicas={replicas}: before {before:P2}, {rounds} rounds, after {after:P2}, lost {lost}, retrievable {retrievable}/{models}, full after repair {full}");
        return outcome;
    }

    public async Task<BurstResult> BurstOfJoinsAsync(int initial, int joiners, int lookups)
    {
        var ring = new SimulatedRing(seed + initial + joiners, ChordOptions.ForExpectedSize(initial + joiners));
        await ring.BuildAsync(initial);
        for (var i = 0; i < joiners; i++) await ring.JoinNewNodeAsync();
        var toSuccessors = -1;
        var toCorrect = -1;
        for (var round = 1; round <= 500 && toCorrect < 0; round++)
        {
            await ring.RunRoundAsync();
            if (toSuccessors < 0 && ring.SuccessorsCorrect()) toSuccessors = round;
            if (ring.IsCorrect(out _)) toCorrect = round;
        }
        await ring.RunRoundAsync(fixFingers: true);
        var success = await LookupSuccessAsync(ring, lookups);
        var outcome = new BurstResult(initial, joiners, ring.Options.SuccessorListLength, toSuccessors, toCorrect, success);
        Say($"burst {initial}+{joiners}: successors correct after {toSuccessors} rounds, whole ring after {toCorrect}, lookups {success:P2}");
        return outcome;
    }

    private static bool FullyReplicated(SimulatedRing ring, ContentId cid, int replicas)
    {
        var live = ring.SortedLive();
        var owner = ring.TrueOwner(RingId.Of(cid));
        var start = -1;
        for (var i = 0; i < live.Count; i++) if (live[i] == owner) { start = i; break; }
        for (var k = 0; k < Math.Min(replicas, live.Count); k++)
        {
            if (!live[(start + k) % live.Count].Blobs!.Contains(cid)) return false;
        }
        return true;
    }

    private static async Task<double> LookupSuccessAsync(SimulatedRing ring, int lookups) => (await LookupSuccessWithHopsAsync(ring, lookups)).Success;

    private static async Task<(double Success, double MeanHops)> LookupSuccessWithHopsAsync(SimulatedRing ring, int lookups)
    {
        var correct = 0;
        long hops = 0;
        for (var i = 0; i < lookups; i++)
        {
            var key = ring.RandomKey();
            try
            {
                var result = await ring.RandomLiveNode().Chord.FindSuccessorAsync(key);
                if (result.Owner == ring.TrueOwner(key).Self) correct++;
                hops += result.Hops;
            }
            catch (LookupFailedException) { }
        }
        return (correct / (double)lookups, hops / (double)lookups);
    }

    private static int Percentile(List<int> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>Runs the whole suite and renders RESULTS.md.</summary>
    public async Task<string> RunAllAsync(IReadOnlyList<int> hopSizes, int lookups, int failureNodes, int models, string command)
    {
        var watch = Stopwatch.StartNew();
        var hops = new List<HopsResult>();
        foreach (var via in new[] { false, true })
        foreach (var n in hopSizes) hops.Add(await LookupHopsAsync(n, lookups, via));
        var failures = new List<FailureResult>();
        foreach (var fraction in new[] { 0.2, 0.5 })
        foreach (var replicas in new[] { 3, 5, ChordOptions.ForExpectedSize(failureNodes).SuccessorListLength })
            failures.Add(await FailuresAsync(failureNodes, fraction, replicas, models, lookups));
        var bursts = new List<BurstResult>
        {
            await BurstOfJoinsAsync(failureNodes, failureNodes / 10, lookups),
            await BurstOfJoinsAsync(failureNodes, failureNodes, lookups),
            await BurstOfJoinsAsync(10, failureNodes, lookups),
        };
        return Render(hops, failures, bursts, command, watch.Elapsed);
    }

    private string Render(List<HopsResult> hops, List<FailureResult> failures, List<BurstResult> bursts, string command, TimeSpan elapsed)
    {
        var inv = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine("# Ring simulation results");
        md.AppendLine();
        md.AppendLine("Produced by the in-memory simulation of `SwarmFL.Ring` (the real `ChordNode`, `ReplicatedModelStore` and");
        md.AppendLine("answer validation, many virtual nodes in one process, deterministic for the seed). Command:");
        md.AppendLine();
        md.AppendLine("```");
        md.AppendLine(command);
        md.AppendLine("```");
        md.AppendLine();
        md.AppendLine(string.Create(inv, $"Seed {seed}; total run time {elapsed.TotalSeconds:F0} s on this machine. Successor list length r = ⌈log₂ N⌉."));
        md.AppendLine("A round = every live node runs stabilize + check_predecessor once, in random order (≈ 1 s with the default");
        md.AppendLine("interval). Hops = remote nodes queried by the iterative lookup (0 when the initiator owns the key's interval).");
        md.AppendLine("Rings are grown by joins through random members (the joiner and its predecessor stabilize after each join,");
        md.AppendLine("fingers are refreshed whenever N doubles), then stabilized until every predecessor and successor list is exact.");
        md.AppendLine();
        md.AppendLine("## Lookup path length");
        md.AppendLine();
        md.AppendLine("\"fingers only\" routes as the paper does (closest preceding finger; the successor only as a last resort);");
        md.AppendLine("\"fingers + successor list\" also routes through successor-list entries, which is what `ChordNode` does by default.");
        md.AppendLine();
        md.AppendLine("| routing | N | r | lookups | correct | mean hops | ½·log₂ N (paper) | deviation | p50 | p99 | max | build rounds after joins |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var h in hops)
            md.AppendLine(string.Create(inv, $"| {(h.ViaSuccessorList ? "fingers + successor list" : "fingers only")} | {h.Nodes} | {h.SuccessorList} | {h.Lookups} | {h.Correct / (double)h.Lookups:P2} | {h.MeanHops:F2} | {h.PaperMean:F2} | {h.Deviation:+0.0%;-0.0%} | {h.P50} | {h.P99} | {h.MaxHops} | {h.BuildRounds} |"));
        md.AppendLine();
        md.AppendLine("## Simultaneous failures");
        md.AppendLine();
        md.AppendLine("A fraction of the nodes fails at once (no graceful leave). \"before\" = lookups right after the failure, no");
        md.AppendLine("maintenance yet; then rounds run until the ring is exactly correct again; \"after\" = lookups once that has run");
        md.AppendLine("(plus one fix_fingers pass). Models were put before the failure with the given replica count; \"lost\" = no");
        md.AppendLine("live node holds a copy; \"full after repair\" = one re-replication pass later, every member of the model's current");
        md.AppendLine("replica set holds it.");
        md.AppendLine();
        md.AppendLine("| N | failed | r | replicas | lookups ok before | rounds to correct ring | lookups ok after | mean hops after | models | lost | retrievable | full after repair |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var f in failures)
            md.AppendLine(string.Create(inv, $"| {f.Nodes} | {f.Fraction:P0} | {f.SuccessorList} | {f.Replicas} | {f.SuccessBeforeRepair:P2} | {f.RoundsToCorrect} | {f.SuccessAfterRepair:P2} | {f.MeanHopsAfter:F2} | {f.Models} | {f.ModelsLost} | {f.ModelsRetrievable} | {f.ModelsFullyReplicatedAfterRepair} |"));
        md.AppendLine();
        md.AppendLine("## Bursts of joins");
        md.AppendLine();
        md.AppendLine("Nodes join through random members all at once, before anyone stabilizes; then rounds run until first successors");
        md.AppendLine("are right (lookups correct) and until the whole ring (predecessors and full successor lists) is exact.");
        md.AppendLine();
        md.AppendLine("| initial N | joiners | r | rounds to correct successors | rounds to exact ring | lookups ok after |");
        md.AppendLine("|---:|---:|---:|---:|---:|---:|");
        foreach (var b in bursts)
            md.AppendLine(string.Create(inv, $"| {b.InitialNodes} | {b.Joiners} | {b.SuccessorList} | {b.RoundsToSuccessors} | {b.RoundsToCorrect} | {b.SuccessAfter:P2} |"));
        md.AppendLine();
        md.Append(Notes);
        return md.ToString();
    }
}
