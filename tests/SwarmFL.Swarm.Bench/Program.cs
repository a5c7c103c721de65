using System.Diagnostics;
using System.Globalization;
using SwarmFL.Crypto;
using SwarmFL.Learning.Models.BuiltIn;
using SwarmFL.Swarm.Adapters;
using SwarmFL.Swarm.Ports;
using SwarmFL.Swarm.Rounds;
using SwarmFL.Swarm.Verification;

// Usage: check REPEATS [POLICY...]
//   What the member-side check of a merge adds per round, for mnist-2nn and mnist-cnn at cluster sizes 4 and 16: the
//   bytes a checker fetches that it does not hold already (the other committers' models; it holds its own and the base),
//   the time to hash them against their ids (the exchange does it on every fetch), and the time of the recomputation
//   (MergeRecomputation.CheckMerge over LearningMergeEngine, the code the round driver runs), per pinned policy; and the
//   same for the semi-global check (the other clusters' models, fedavg) at 16 members in clusters of 4.
//   The network transfer itself is not timed: at a link rate R it adds bytes / R.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (args is not ["check", var repeatsText, .. var policies] || !int.TryParse(repeatsText, out var repeats) || repeats < 1)
{
    Console.Error.WriteLine("usage: check REPEATS [POLICY...]   (policies default to: fedavg median geometric-median:50)");
    return 3;
}
if (policies.Length == 0) policies = ["fedavg", "median", "geometric-median:50"];

Console.WriteLine("| model | file size | cluster size | policy | fetched per check | hash fetched (ms) | recompute (ms, median of " + repeats + ") | check total (ms) |");
Console.WriteLine("| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |");
foreach (var model in new[] { BuiltInModel.Mnist2nn, BuiltInModel.MnistCnn })
{
    var engine = new LearningMergeEngine(model);
    var baseModel = model.Initial(1).ToSafeTensors();
    foreach (var size in new[] { 4, 16 })
    {
        // Distinct committed models (different initial weights), as the cluster's members would commit them.
        var inputs = Enumerable.Range(2, size).Select(seed => model.Initial((ulong)seed).ToSafeTensors())
            .Select((bytes, i) => new MergeInput(ContentId.Of(bytes), bytes, (ulong)(600 + i))).ToList();
        var fetched = inputs.Skip(1).ToList(); // the checker's own model is local
        var hash = Median(repeats, () => { foreach (var f in fetched) _ = ContentId.Of(f.Model); });
        foreach (var policy in policies)
        {
            var published = ContentId.Of(engine.Merge(policy, baseModel, inputs).Model);
            var merge = new PublishedMerge(1, 0, default, published, inputs.Select(i => i.Id).ToList());
            var verdict = MergeRecomputation.CheckMerge(engine, policy, baseModel, merge, inputs);
            if (!verdict.Holds) throw new InvalidOperationException($"the check of an honest merge failed: {verdict.Summary}");
            var recompute = Median(repeats, () => MergeRecomputation.CheckMerge(engine, policy, baseModel, merge, inputs));
            Console.WriteLine($"| {model.Name} | {Mb(baseModel.Length)} | {size} | {policy} | {Mb(fetched.Sum(f => (long)f.Model.Length))} | {hash:F1} | {recompute:F1} | {hash + recompute:F1} |");
        }
    }
}

Console.WriteLine();
Console.WriteLine("| model | members / clusters | semi-global check: fetched | hash fetched (ms) | recompute (ms) | total (ms) |");
Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: |");
foreach (var model in new[] { BuiltInModel.Mnist2nn, BuiltInModel.MnistCnn })
{
    var engine = new LearningMergeEngine(model);
    var clusterModels = Enumerable.Range(20, 4).Select(seed => model.Initial((ulong)seed).ToSafeTensors())
        .Select((bytes, i) => new MergeInput(ContentId.Of(bytes), bytes, (ulong)(2400 + i))).ToList();
    var semiId = ContentId.Of(engine.Merge(SemiGlobal.Strategy, clusterModels[0].Model, clusterModels).Model);
    var semi = new PublishedSemiGlobal(1, 0, default, semiId);
    var fetched = clusterModels.Skip(1).ToList(); // its own cluster's model it checked (and fetched) already
    var hash = Median(repeats, () => { foreach (var f in fetched) _ = ContentId.Of(f.Model); });
    var recompute = Median(repeats, () =>
    {
        if (!MergeRecomputation.CheckSemiGlobal(engine, semi, clusterModels[0].Model, clusterModels).Holds) throw new InvalidOperationException("semi-global check failed");
    });
    Console.WriteLine($"| {model.Name} | 16 / 4 | {Mb(fetched.Sum(f => (long)f.Model.Length))} | {hash:F1} | {recompute:F1} | {hash + recompute:F1} |");
}
return 0;

static double Median(int repeats, Action work)
{
    work(); // warm-up: JIT and the first allocations
    var times = new List<double>();
    for (var i = 0; i < repeats; i++)
    {
        var watch = Stopwatch.StartNew();
        work();
        times.Add(watch.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    return times[times.Count / 2];
}

static string Mb(long bytes) => $"{bytes / 1e6:F2} MB";
