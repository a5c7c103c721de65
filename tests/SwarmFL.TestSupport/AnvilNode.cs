using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace SwarmFL.TestSupport;

/// <summary>How to start anvil: null leaves anvil's default (chain id 31337, a block per transaction, the newest hardfork).</summary>
public sealed record AnvilOptions(long? ChainId = null, int? BlockTimeSeconds = null, string? Hardfork = null);

/// <summary>
/// A real anvil (Foundry's EVM node, npm @foundry-rs/anvil) on a free loopback port, for a test class or collection.
/// Subclass it with other <see cref="AnvilOptions"/> for a chain id that is not the devnet's, timed blocks, or a
/// hardfork before EIP-1559 (berlin: blocks carry no base fee).
/// </summary>
public class AnvilNode : IAsyncLifetime, ILocalChain
{
    /// <summary>anvil's default mnemonic funds the same account #0 as Hardhat's.</summary>
    public const string Account0PrivateKey = HardhatNode.Account0PrivateKey;

    private readonly System.Text.StringBuilder _log = new();
    private Process? _process;

    public AnvilNode() : this(new AnvilOptions()) { }

    protected AnvilNode(AnvilOptions options) => Options = options;

    public AnvilOptions Options { get; }
    public long ChainId => Options.ChainId ?? HardhatNode.ChainId;
    public string Name => $"anvil{(Options.ChainId is { } id ? $" chain {id}" : "")}{(Options.BlockTimeSeconds is { } t ? $" {t} s blocks" : "")}{(Options.Hardfork is { } h ? $" {h}" : "")}";
    public int Port { get; private set; }
    public string RpcUrl => $"http://127.0.0.1:{Port}";
    public string Log { get { lock (_log) return _log.ToString(); } }

    public async Task InitializeAsync()
    {
        RepoPaths.RequireNodeModules();
        var anvil = Path.Combine(RepoPaths.NodeModules, ".bin", "anvil");
        if (!File.Exists(anvil)) throw new InvalidOperationException($"{anvil} is missing: run `npm ci` (package.json has @foundry-rs/anvil)");
        Port = FreePort.Next();
        var psi = new ProcessStartInfo(anvil)
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "--host", "127.0.0.1", "--port", Port.ToString() }) psi.ArgumentList.Add(a);
        if (Options.ChainId is { } chainId) { psi.ArgumentList.Add("--chain-id"); psi.ArgumentList.Add(chainId.ToString()); }
        if (Options.BlockTimeSeconds is { } seconds) { psi.ArgumentList.Add("--block-time"); psi.ArgumentList.Add(seconds.ToString()); }
        if (Options.Hardfork is { } hardfork) { psi.ArgumentList.Add("--hardfork"); psi.ArgumentList.Add(hardfork); }
        _process = Process.Start(psi) ?? throw new InvalidOperationException("could not start anvil");
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.AppendLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await LocalChainProcess.WaitUntilAnsweringAsync(Name, RpcUrl, _process, () => Log, TimeSpan.FromSeconds(90));
    }

    /// <summary>
    /// What a test harness does on a chain that does not fund accounts itself: anvil_setBalance, a call only the test
    /// may make (the node under test must never mint ether; on this chain id it refuses to).
    /// </summary>
    public async Task FundAsync(string address, System.Numerics.BigInteger wei)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var response = await http.PostAsJsonAsync(RpcUrl, new { jsonrpc = "2.0", id = 1, method = "anvil_setBalance", @params = new object[] { address, "0x" + wei.ToString("x").TrimStart('0') } });
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        if (doc.RootElement.TryGetProperty("error", out var error)) throw new InvalidOperationException($"anvil_setBalance failed: {error}");
    }

    public Task DisposeAsync()
    {
        LocalChainProcess.Stop(_process);
        return Task.CompletedTask;
    }
}

/// <summary>anvil on chain id 1337 (not the devnet's 31337): nothing funds itself there.</summary>
public sealed class AnvilOtherChainNode() : AnvilNode(new AnvilOptions(ChainId: 1337));

/// <summary>anvil on the berlin hardfork: blocks have no base fee, so senders must use legacy EIP-155 transactions.</summary>
public sealed class AnvilNoEip1559Node() : AnvilNode(new AnvilOptions(Hardfork: "berlin"));

/// <summary>anvil mining a block every 2 s, as a slow public chain would, instead of one per transaction.</summary>
public sealed class AnvilTimedBlocksNode() : AnvilNode(new AnvilOptions(BlockTimeSeconds: 2));
