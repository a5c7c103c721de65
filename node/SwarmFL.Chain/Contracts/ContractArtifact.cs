using System.Reflection;
using System.Text.Json;
using SwarmFL.Chain.Abi;
using SwarmFL.Crypto;

namespace SwarmFL.Chain.Contracts;

/// <summary>
/// A Hardhat artifact (artifacts/contracts/X.sol/X.json): the ABI and the creation bytecode.
/// The SwarmCoordinator artifact is embedded into this assembly at build time when the contracts were compiled first
/// (devnet/bootstrap does), so a built `swarmfl` can deploy from anywhere; otherwise it is looked up on disk.
/// </summary>
public sealed class ContractArtifact
{
    public const string SwarmCoordinatorRelativePath = "artifacts/contracts/SwarmCoordinator.sol/SwarmCoordinator.json";
    private const string EmbeddedSwarmCoordinator = "SwarmFL.Chain.Artifacts.SwarmCoordinator.json";

    private ContractArtifact(string source, string contractName, ContractAbi abi, byte[] bytecode, JsonElement abiJson)
    {
        Source = source;
        ContractName = contractName;
        Abi = abi;
        Bytecode = bytecode;
        AbiJson = abiJson;
    }

    /// <summary>Where it was read from (a file path or "embedded").</summary>
    public string Source { get; }
    public string ContractName { get; }
    public ContractAbi Abi { get; }
    public JsonElement AbiJson { get; }
    public byte[] Bytecode { get; }

    public static ContractArtifact Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"contract artifact {path} not found: run `npx hardhat compile` (devnet/bootstrap does)", path);
        return Parse(File.ReadAllBytes(path), path);
    }

    public static ContractArtifact Parse(byte[] json, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            var bytecode = Hex.Decode(root.GetProperty("bytecode").GetString() ?? "");
            if (bytecode.Length == 0) throw new FormatException("it has no bytecode (an interface or abstract contract?)");
            var abiJson = root.GetProperty("abi").Clone();
            return new ContractArtifact(source, root.GetProperty("contractName").GetString() ?? "", ContractAbi.FromJson(abiJson), bytecode, abiJson);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new FormatException($"contract artifact {source} is not a Hardhat artifact: {e.Message}", e);
        }
    }

    /// <summary>
    /// An explicit path wins; then the copy embedded at build time; then artifacts/ in the current directory or any
    /// directory above this assembly (a checkout where the contracts were compiled after the build).
    /// </summary>
    public static ContractArtifact SwarmCoordinator(string? path = null)
    {
        if (path is not null) return Load(path);
        using (var embedded = typeof(ContractArtifact).Assembly.GetManifestResourceStream(EmbeddedSwarmCoordinator))
        {
            if (embedded is not null)
            {
                using var copy = new MemoryStream();
                embedded.CopyTo(copy);
                return Parse(copy.ToArray(), "embedded");
            }
        }
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, SwarmCoordinatorRelativePath);
                if (File.Exists(candidate)) return Load(candidate);
            }
        }
        throw new FileNotFoundException(
            $"the SwarmCoordinator artifact is neither embedded nor found as {SwarmCoordinatorRelativePath}: run `npx hardhat compile` in the repository (devnet/bootstrap does) or pass its path");
    }
}
