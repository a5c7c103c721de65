using SwarmFL.Chain.Rpc;
using SwarmFL.Chain.Contracts;
using SwarmFL.Crypto;
using SwarmFL.Node.Devnet;

namespace SwarmFL.Node.Dashboard;

/// <summary>What the devnet launcher keeps in the run directory for the dashboard, live and after the run (<see cref="RunFiles"/>).</summary>
public static class RunArchive
{
    public static void SaveSwarm(string runDirectory, SwarmEndpoint swarm) =>
        RunFiles.Write(runDirectory, RunFiles.Swarm, new RunSwarmFile(swarm.RpcUrl, swarm.Contract));

    /// <summary>Reads every contract event while the chain still runs; the devnet chain stops with the run.</summary>
    public static async Task SaveChainEventsAsync(string runDirectory, SwarmEndpoint swarm, CancellationToken ct)
    {
        var contract = await SwarmCoordinator.AttachAsync(new EthClient(new JsonRpcClient(swarm.RpcUrl)), EthereumAddress.Parse(swarm.Contract), ct: ct);
        var events = await contract.GetEventsAsync(ct: ct);
        var views = events.Select(ChainEventViews.From).Where(v => v is not null).Select(v => v!).ToList();
        RunFiles.Write(runDirectory, RunFiles.ChainEvents, new RunChainEventsFile(ChainEventViews.SwarmInfo(events, swarm.Contract, swarm.RpcUrl), views));
    }

    public static void SaveBaselines(string runDirectory, IReadOnlyList<BaselineResult> baselines) =>
        RunFiles.Write(runDirectory, RunFiles.Baselines, baselines.Select(b => new BaselineView(b.Part, b.Accuracy, b.Samples, b.Epochs)).ToList());

    public static void SaveAudit(string runDirectory, AuditOutcome audit)
    {
        var lines = audit.Output.Split('\n', StringSplitOptions.TrimEntries).Where(l => l.Length > 0).ToList();
        var summary = string.Join("\n", lines.TakeLast(24)) + (audit.Problem is null ? "" : $"\n{audit.Problem}");
        RunFiles.Write(runDirectory, RunFiles.Audit, new AuditView(audit.ExitCode, audit.Passed, summary));
    }
}
