using SwarmFL.Crypto;
using SwarmFL.Learning.Data;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;
using SwarmFL.Learning.Training;
using SwarmFL.Ring.Storage;
using SwarmFL.Swarm.Hosting;

namespace SwarmFL.Node.Devnet;

/// <summary>
/// The run results' MNIST test-set accuracies, computed by the launcher once the nodes have stopped. The nodes do not
/// score on the test set themselves during a devnet run: that is reporting, not protocol, and on a small machine it would
/// take CPU from the rounds being timed. Every model a node recorded (base, local, semi-global) is read from whichever
/// node's model store holds it, checked against its id, and scored once.
/// </summary>
public static class TestSetScores
{
    public static IReadOnlyList<RoundResultFile> Fill(IReadOnlyList<RoundResultFile> records, Func<ContentId, double?> score) =>
        records.Select(r => r with
        {
            BaseTestAccuracy = r.BaseTestAccuracy ?? Score(r.BaseModel, score),
            LocalTestAccuracy = r.LocalTestAccuracy ?? Score(r.LocalModel, score),
            SemiGlobalTestAccuracy = r.SemiGlobalTestAccuracy ?? Score(r.SemiGlobalModel, score),
        }).ToList();

    private static double? Score(string? model, Func<ContentId, double?> score) =>
        model is not null && ContentId.TryParse(model, out var id) ? score(id) : null;

    /// <summary>A scorer over the nodes' model stores and the MNIST test set, loaded only if a model needs scoring.</summary>
    public sealed class Scorer(string modelName, string mnistDirectory, IReadOnlyList<string> dataDirectories, CancellationToken ct) : IDisposable
    {
        private readonly Dictionary<ContentId, double?> _scores = [];
        private Lazy<(ModelDefinition Spec, TensorData Test, LocalTrainer Trainer, List<DiskBlobStore> Stores)>? _loaded;

        public int Scored { get; private set; }

        public double? Score(ContentId id)
        {
            if (_scores.TryGetValue(id, out var known)) return known;
            ct.ThrowIfCancellationRequested();
            _loaded ??= new(() =>
            {
                var spec = ModelResolver.Resolve(modelName);
                var test = new TensorData(MnistDataset.Load(mnistDirectory, MnistSplit.Test));
                var stores = dataDirectories.Select(d => Path.Combine(d, "models")).Where(Directory.Exists).Select(d => new DiskBlobStore(d)).ToList();
                return (spec, test, new LocalTrainer(spec), stores);
            });
            var (spec, test, trainer, stores) = _loaded.Value;
            var bytes = stores.Select(s => s.TryRead(id)).FirstOrDefault(b => b is not null && id.Matches(b));
            double? accuracy = bytes is null ? null : trainer.Evaluate(SafeTensors.Decode(bytes, spec.Layout, $"model {id}"), test, ct: ct).Accuracy;
            if (accuracy is not null) Scored++;
            return _scores[id] = accuracy;
        }

        public void Dispose()
        {
            if (_loaded is { IsValueCreated: true }) _loaded.Value.Test.Dispose();
        }
    }
}
