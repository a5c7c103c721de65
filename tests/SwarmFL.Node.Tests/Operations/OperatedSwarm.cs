using System.Diagnostics;
using System.Text.RegularExpressions;
using SwarmFL.Node.Tests.EndToEnd;
using SwarmFL.Swarm.Hosting;
using SwarmFL.TestSupport;

namespace SwarmFL.Node.Tests.Operations;

/// <summary>
/// One short real swarm, operated as a person would (issue #18): the release is published with devnet/release; a
/// Hardhat node sits behind a TCP proxy the test can stop; node A (the SDK build) runs `swarmfl node --metrics`, and
/// node B — the published executable, with no `dotnet` on PATH and DOTNET_ROOT unset — joins it by peer address,
/// also with --metrics. While rounds end, the fixture scrapes A's /metrics; then it stops the chain RPC (the proxy)
/// and starts it again, recording /healthz and /readyz. Each fact asserts one item on what was recorded.
/// </summary>
public sealed class OperatedSwarm : IAsyncLifetime
{
    public const int RoundsToWatch = 3;
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(4);
    private readonly HardhatNode _hardhat = new();
    private TcpProxy _proxy = null!;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("swarmfl-ops").FullName;
    public string ReleaseDirectory => Path.Combine(Directory, "release");
    public string ReleaseExecutable => Path.Combine(ReleaseDirectory, "swarmfl");
    public NodeProcess A { get; private set; } = null!;
    public NodeProcess B { get; private set; } = null!;
    public int MetricsPortA { get; } = FreePort.Next();
    public int MetricsPortB { get; } = FreePort.Next();
    public ProcessResult ReleaseBuild { get; private set; } = null!;
    public ProcessResult ReleaseVersion { get; private set; } = null!;
    public IReadOnlyDictionary<string, string?> NoSdk { get; } = EnvironmentWithoutSdk();
    /// <summary>swarmfl_rounds_completed_total of every scrape while rounds ended, in order.</summary>
    public List<double> RoundCounterSeries { get; } = [];
    public List<IReadOnlyDictionary<string, PrometheusFamily>> Scrapes { get; } = [];
    public string LastScrapeText { get; private set; } = "";
    /// <summary>A scrape taken while rounds.jsonl held exactly the rounds the scrape counted, and those lines.</summary>
    public (IReadOnlyDictionary<string, PrometheusFamily> Scrape, IReadOnlyList<RoundResultFile> Rounds)? Consistent { get; private set; }
    /// <summary>rounds.jsonl once it held two more rounds than <see cref="Consistent"/>: their books were cut after that scrape.</summary>
    public IReadOnlyList<RoundResultFile> RoundsAfterScrape { get; private set; } = [];
    public List<(string When, int Healthz, int Readyz, string ReadyReason)> Health { get; } = [];
    public IReadOnlyList<string> SdkFilesMappedByB { get; private set; } = [];
    public IReadOnlyList<RoundResultFile> RoundsOfB { get; private set; } = [];
    public IReadOnlyDictionary<string, PrometheusFamily>? ScrapeOfB { get; private set; }

    public async Task InitializeAsync()
    {
        ReleaseBuild = await ProcessRunner.RunAsync("bash", [Path.Combine(RepoPaths.Root, "devnet", "release"), "--out", ReleaseDirectory]);
        ReleaseBuild.EnsureSuccess("devnet/release");
        ReleaseVersion = await RunWithoutSdkAsync(ReleaseExecutable, ["version"]);

        await _hardhat.InitializeAsync();
        _proxy = new TcpProxy(FreePort.Next(), _hardhat.Port);
        _proxy.Start();
        string[] dirs = [Path.Combine(Directory, "a"), Path.Combine(Directory, "b")];
        var genesis = Regex.Match(await SwarmflProcess.OutputOfAsync("genesis", "--model", "mnist-2nn", "--seed", "1", "--data-dirs", string.Join(',', dirs)), "bafkrei[a-z2-7]+").Value;
        var deployerKey = Path.Combine(Directory, "deployer.key");
        await SwarmflProcess.OutputOfAsync("key", "import", "--hex", HardhatNode.Account0PrivateKey, "--out", deployerKey);
        var created = await SwarmflProcess.OutputOfAsync("swarm", "create", "--rpc", _hardhat.RpcUrl, "--key", deployerKey, "--min-peers", "2", "--commit-window", "60",
            "--merge-timeout", "30", "--cluster-size", "2", "--model-spec-hash", "mnist-2nn", "--genesis-model", genesis);
        var contract = Regex.Match(created, "contract: (0x[0-9a-fA-F]{40})").Groups[1].Value;

        string[] common(int part, int metrics) =>
        [
            "--listen", $"/ip4/127.0.0.1/tcp/{FreePort.Next()}", "--data", RepoPaths.MnistData, "--limit", "1000", "--parts", "2", "--part", part.ToString(),
            "--threads", "1", "--metrics", $"127.0.0.1:{metrics}", "--log-level", "Information",
        ];
        A = new NodeProcess("a", dirs[0], Path.Combine(Directory, "a.log"), ["node", "--data-dir", dirs[0], "--rpc", _proxy.Url, "--contract", contract, .. common(0, MetricsPortA)]);
        A.Start();
        var address = await WaitForAsync(() => Task.FromResult(A.ReadStatus()?.Listen), "node A to listen");
        B = new NodeProcess("b", dirs[1], Path.Combine(Directory, "b.log"), ["join", address!, "--data-dir", dirs[1], .. common(1, MetricsPortB)], ReleaseExecutable, NoSdk);
        B.Start();

        await WatchRoundsAsync();
        await FindConsistentScrapeAsync();
        SdkFilesMappedByB = MappedSdkFiles(B.ProcessId);
        RoundsOfB = StatusFiles.ReadWellFormedRounds(B.RoundsPath).Records;
        ScrapeOfB = PrometheusText.Parse(await _http.GetStringAsync($"http://127.0.0.1:{MetricsPortB}/metrics"));
        await StopAndStartTheChainAsync();
    }

    private async Task WatchRoundsAsync()
    {
        await WaitForAsync(async () =>
        {
            var text = await TryGetAsync($"http://127.0.0.1:{MetricsPortA}/metrics");
            if (text is null) return null;
            var scrape = PrometheusText.Parse(text);
            Scrapes.Add(scrape);
            LastScrapeText = text;
            var completed = scrape["swarmfl_rounds_completed_total"].Samples.Single().Value;
            RoundCounterSeries.Add(completed);
            return completed >= RoundsToWatch ? "" : null;
        }, $"node A's swarmfl_rounds_completed_total to reach {RoundsToWatch}", poll: TimeSpan.FromSeconds(1));
    }

    /// <summary>rounds.jsonl is written off the round's path, so a scrape is compared with the lines only when both agree on the count.</summary>
    private async Task FindConsistentScrapeAsync()
    {
        await WaitForAsync(async () =>
        {
            var before = StatusFiles.ReadWellFormedRounds(A.RoundsPath).Records;
            var scrape = PrometheusText.Parse(await _http.GetStringAsync($"http://127.0.0.1:{MetricsPortA}/metrics"));
            var after = StatusFiles.ReadWellFormedRounds(A.RoundsPath).Records;
            var completed = scrape["swarmfl_rounds_completed_total"].Samples.Single().Value;
            if (before.Count != after.Count || after.Count != (int)completed || after.Any(r => r.Resumed == true)) return null;
            Consistent = (scrape, after);
            return "";
        }, "a scrape taken while rounds.jsonl held exactly the rounds it counted", poll: TimeSpan.FromMilliseconds(300));
        var wanted = Consistent!.Value.Rounds.Count + 2;
        await WaitForAsync(() =>
        {
            var rounds = StatusFiles.ReadWellFormedRounds(A.RoundsPath).Records;
            if (rounds.Count < wanted) return Task.FromResult<string?>(null);
            RoundsAfterScrape = rounds.Take(wanted).ToList();
            return Task.FromResult<string?>("");
        }, $"node A's rounds.jsonl to hold {wanted} rounds", poll: TimeSpan.FromMilliseconds(300));
    }

    private async Task StopAndStartTheChainAsync()
    {
        await RecordHealthAsync("before the outage", ready => ready == 200);
        _proxy.Stop();
        await RecordHealthAsync("chain RPC stopped", ready => ready == 503);
        _proxy.Start();
        await RecordHealthAsync("chain RPC started again", ready => ready == 200);
    }

    private async Task RecordHealthAsync(string when, Func<int, bool> until)
    {
        await WaitForAsync(async () =>
        {
            var (healthz, _) = await StatusOfAsync("healthz");
            var (readyz, reason) = await StatusOfAsync("readyz");
            if (!until(readyz)) return null;
            Health.Add((when, healthz, readyz, reason));
            return "";
        }, $"/readyz {when}", poll: TimeSpan.FromMilliseconds(500));
    }

    private async Task<(int Status, string Body)> StatusOfAsync(string path)
    {
        using var response = await _http.GetAsync($"http://127.0.0.1:{MetricsPortA}/{path}");
        return ((int)response.StatusCode, (await response.Content.ReadAsStringAsync()).Trim());
    }

    private async Task<string?> TryGetAsync(string url)
    {
        try { return await _http.GetStringAsync(url); }
        catch (HttpRequestException) { return null; }
    }

    /// <summary>PATH without any directory holding a `dotnet`, and no DOTNET_*/MSBuild variables: a host without the SDK.</summary>
    private static Dictionary<string, string?> EnvironmentWithoutSdk()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Where(dir => !File.Exists(Path.Combine(dir, "dotnet")));
        var env = new Dictionary<string, string?> { ["PATH"] = string.Join(':', path) };
        foreach (var name in Environment.GetEnvironmentVariables().Keys.Cast<string>())
            if (name.StartsWith("DOTNET_", StringComparison.Ordinal) || name.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || name == "DOTNET_ROOT")
                env[name] = null;
        return env;
    }

    /// <summary>Files of the SDK's .NET installation that the process has mapped (it should map none).</summary>
    private static IReadOnlyList<string> MappedSdkFiles(int? pid)
    {
        if (pid is null) return ["(process not running)"];
        var dotnet = new FileInfo("/usr/bin/dotnet").ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? "/usr/share/dotnet/dotnet";
        var root = Path.GetDirectoryName(dotnet)! + "/";
        return File.ReadLines($"/proc/{pid}/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(5).FirstOrDefault() ?? "")
            .Where(f => f.StartsWith(root, StringComparison.Ordinal)).Distinct().ToList();
    }

    private async Task<ProcessResult> RunWithoutSdkAsync(string executable, string[] args)
    {
        var psi = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in NoSdk) if (v is null) psi.Environment.Remove(k); else psi.Environment[k] = v;
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new ProcessResult(process.ExitCode, await stdout, await stderr);
    }


    private async Task<T?> WaitForAsync<T>(Func<Task<T?>> probe, string what, TimeSpan? poll = null)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (true)
        {
            if (await probe() is { } found) return found;
            foreach (var node in new[] { A, B }.Where(n => n is not null))
                if (node.HasFailed || node.ExitCode is not null) throw new InvalidOperationException($"waiting for {what}: {node.Name} exited with {node.ExitCode}\n{Logs()}");
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited {Limit} for {what}\n{Logs()}");
            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(250));
        }
    }

    public string Logs() => string.Join("\n", new[] { A, B }.Where(n => n is not null).Select(n => n.LogTail()));

    public async Task DisposeAsync()
    {
        A?.Dispose();
        B?.Dispose();
        if (_proxy is not null) await _proxy.DisposeAsync();
        await _hardhat.DisposeAsync();
        _http.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
