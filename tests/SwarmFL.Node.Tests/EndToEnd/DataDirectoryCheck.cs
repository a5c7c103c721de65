using System.Text.Json;
using SwarmFL.Crypto;
using SwarmFL.Swarm.Hosting;
using SwarmFL.Swarm.Storage;

namespace SwarmFL.Node.Tests.EndToEnd;

/// <summary>
/// Reads a node's data directory from the outside, without opening it through the node's own classes (which repair
/// what they find), and lists everything that is not intact: the key, the round state, the run results and every model
/// blob against its content id.
/// </summary>
public static class DataDirectoryCheck
{
    public static IReadOnlyList<string> Problems(string dataDirectory, EthereumAddress expectedAddress)
    {
        var problems = new List<string>();
        void Check(string what, Action read)
        {
            try { read(); }
            catch (Exception e) { problems.Add($"{what}: {e.GetType().Name}: {e.Message}"); }
        }

        Check("node.key", () =>
        {
            var address = KeyFile.Load(Path.Combine(dataDirectory, "node.key")).Address;
            if (address != expectedAddress) problems.Add($"node.key now holds {address}, not {expectedAddress}");
        });
        Check("state.json", () =>
        {
            var records = JsonSerializer.Deserialize<List<RoundRecord>>(File.ReadAllBytes(Path.Combine(dataDirectory, "state.json")))
                          ?? throw new JsonException("null");
            foreach (var record in records.Where(r => r.LocalModel is not null && !ContentId.TryParse(r.LocalModel, out _)))
                problems.Add($"state.json round {record.Round}: local model '{record.LocalModel}' is not a content id");
        });
        foreach (var aside in Directory.EnumerateFiles(dataDirectory, "state.json.unreadable-*"))
            problems.Add($"the node found its round state unreadable and moved it to {Path.GetFileName(aside)}");
        Check("rounds.jsonl", () =>
        {
            var rounds = StatusFiles.ReadRounds(Path.Combine(dataDirectory, "rounds.jsonl")).Select(r => r.Round).ToList();
            if (!rounds.SequenceEqual(rounds.Order().Distinct()))
                problems.Add($"rounds.jsonl lists rounds [{string.Join(", ", rounds)}]: repeated or out of order");
        });
        Check("status.json", () => JsonSerializer.Deserialize<NodeStatusFile>(File.ReadAllText(Path.Combine(dataDirectory, "status.json")), StatusFiles.Json));

        var models = Path.Combine(dataDirectory, "models");
        var blobs = Directory.EnumerateFiles(Path.Combine(models, "blobs")).ToList();
        foreach (var blob in blobs)
        {
            var name = Path.GetFileName(blob);
            if (!ContentId.TryParse(name, out var id)) problems.Add($"models/blobs/{name} is not named by a content id (a leftover temp file?)");
            else if (!id.Matches(File.ReadAllBytes(blob))) problems.Add($"models/blobs/{name} does not hash to its name");
        }
        if (Directory.Exists(Path.Combine(models, "quarantine")) && Directory.EnumerateFileSystemEntries(Path.Combine(models, "quarantine")).Any())
            problems.Add("the store quarantined blobs that did not match their ids");
        Check("models/index.json", () =>
        {
            using var index = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(models, "index.json")));
            var indexed = index.RootElement.GetProperty("Blobs").EnumerateObject().Select(p => p.Name).ToHashSet();
            var present = blobs.Select(Path.GetFileName).ToHashSet();
            if (!indexed.SetEquals(present!))
                problems.Add($"models/index.json lists {indexed.Count} blobs, the directory holds {present.Count}");
        });
        if (blobs.Count == 0) problems.Add("the model store is empty");
        return problems;
    }
}
