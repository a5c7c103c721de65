using SwarmFL.Crypto;
using SwarmFL.Learning.Data;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;
using SwarmFL.Learning.Training;
using SwarmFL.Ring.Storage;
using SwarmFL.Swarm.Hosting;

namespace SwarmFL.Node.Devnet;

/// <summary>
/// The run results' test-set scores (MNIST: accuracy on its test set; the user's data: the headline metric), computed by the launcher once the nodes have stopped. The nodes do not
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

    /// <summary>
    /// A scorer over the nodes' model stores and a test set, loaded only if a model needs scoring; scores are the swarm's
    /// headline metric (MNIST: accuracy, as always).
    /// </summary>
    public sealed class Scorer : IDisposable
    {
        private readonly Dictionary<ContentId, double?> _scores = [];
        private readonly Lazy<(ModelDefinition Spec, TensorData Test, LocalTrainer Trainer, List<DiskBlobStore> Stores)> _loaded;
        private readonly string _metric;
        private readonly CancellationToken _ct;

        /// <summary>The MNIST test set of <paramref name="mnistDirectory"/>, scored by accuracy.</summary>
        public Scorer(string modelName, string mnistDirectory, IReadOnlyList<string> dataDirectories, CancellationToken ct)
            : this(ModelResolver.Resolve(modelName), () => new TensorData(MnistDataset.Load(mnistDirectory, MnistSplit.Test)),
                SwarmFL.Learning.Metrics.Metric.Accuracy, dataDirectories, ct) { }

        public Scorer(ModelDefinition model, Func<TensorData> testSet, string metric, IReadOnlyList<string> dataDirectories, CancellationToken ct)
        {
            _metric = metric;
            _ct = ct;
            _loaded = new(() =>
            {
                var stores = dataDirectories.Select(d => Path.Combine(d, "models")).Where(Directory.Exists).Select(d => new DiskBlobStore(d)).ToList();
                return (model, testSet(), new LocalTrainer(model), stores);
            });
        }

        public int Scored { get; private set; }

        public double? Score(ContentId id)
        {
            if (_scores.TryGetValue(id, out var known)) return known;
            _ct.ThrowIfCancellationRequested();
            var (spec, test, trainer, stores) = _loaded.Value;
            var bytes = stores.Select(s => s.TryRead(id)).FirstOrDefault(b => b is not null && id.Matches(b));
            double? score = bytes is null ? null : trainer.Evaluate(SafeTensors.Decode(bytes, spec.Layout, $"model {id}"), test, ct: _ct).Score(_metric);
            if (score is not null) Scored++;
            return _scores[id] = score;
        }

        public void Dispose()
        {
            if (_loaded.IsValueCreated) _loaded.Value.Test.Dispose();
        }
    }
}
