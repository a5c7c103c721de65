using System.Globalization;
using SwarmFL.Learning.Data;
using SwarmFL.Learning.Data.Scaling;
using SwarmFL.Learning.Models;
using SwarmFL.Node.Cli;
using SwarmFL.Swarm.Adapters;

namespace SwarmFL.Node.Devnet;

/// <summary>
/// The user's own dataset in a devnet run, read once by the launcher before anything starts. The launcher acts as the
/// swarm's creator: it fits the data spec (task, headline metric, classes, input shape, scaling constants) on the whole
/// training file, exactly as `swarmfl data-spec` does, and pins it at `swarm create`. Every node reads the same file
/// with the same flags and the pinned spec and trains on its own part (`--parts N --part I`: the node applies the
/// partitioner itself), so the parts are disjoint and no node sees another's samples.
///
/// Scoring (merged models, local models, baselines) is on `--test-data` when given. Without it, it is on the members'
/// held-out tenths pooled: each node holds out every tenth sample of its part for validation and never trains on it,
/// so the union of those samples is unseen by every node and by every baseline.
/// </summary>
public sealed class UserDataset
{
    private readonly UserDataOptions _options;
    private readonly Dataset _all;

    private UserDataset(UserDataOptions options, DataSource source, Dataset all, DataSpec spec)
    {
        _options = options;
        Source = source;
        _all = all;
        Spec = spec;
    }

    /// <summary>How every node reads its data (task and class numbering as pinned).</summary>
    public DataSource Source { get; }
    public DataSpec Spec { get; }
    public int Count => _all.Count;
    public string Metric => Spec.Metric;
    public string TestSetName => _options.TestPath is { } test ? $"the test set {test}" : "the members' pooled held-out tenths (no node trained on them)";

    /// <summary>
    /// Reads the training data, fits the spec, and checks the model against it (one dry forward pass; logits for the
    /// classes, or one value for regression). Throws <see cref="DataFileException"/>, <see cref="ModelFormatException"/>
    /// or <see cref="FormatException"/>, each naming the file, row, column or layer at fault.
    /// </summary>
    public static UserDataset Prepare(UserDataOptions options, ModelDefinition model)
    {
        RequireExists(options.Path, "--data", "a CSV file, an .npz, a folder of class sub-folders of PNG/JPEG images, or a folder of MNIST IDX files");
        if (options.TestPath is { } testPath) RequireExists(testPath, "--test-data", "a test set in the same format as --data");
        var format = options.Format is { } f ? Flag("--data-format", () => DataFormats.Parse(f)) : DataFormats.Detect(options.Path);
        var read = new DataSource
        {
            Path = options.Path,
            Format = format,
            LabelColumn = options.Label,
            Task = Flag("--task", () => DataSource.ParseTask(options.Task)),
            ImageSize = options.ImageSize is { } size ? Flag("--image-size", () => DataSource.ParseImageSize(size)) : null,
            Channels = options.Channels,
        };
        var creators = DatasetReader.Load(read);
        if (creators.Count == 0) throw new DataFileException(options.Path, "holds no samples; give a dataset with at least one sample per node");
        var scaling = format is DataFormat.Csv or DataFormat.Npz ? FeatureScaling.Standard : FeatureScaling.None;
        var spec = Flag("--metric", () => DataSpec.Fit(creators, scaling, options.Metric, model.Hash()));
        ModelFit.Require(model, creators);
        // The nodes read with the pinned class list and task; so does every score the launcher computes.
        // The nodes read with the pinned task, class list and image size; so does every score the launcher computes. The
        // creator's read already numbers the classes as the spec lists them, so it is the dataset the parts come from.
        var source = spec.Apply(read with { ImageSize = format == DataFormat.Images && spec.Input is [_, var h, var w] ? (h, w) : read.ImageSize });
        return new UserDataset(options, source, creators, spec);
    }

    private static T Flag<T>(string flag, Func<T> parse)
    {
        try { return parse(); }
        catch (FormatException e) { throw new FormatException($"{flag}: {e.Message}", e); }
    }

    private static void RequireExists(string path, string flag, string what)
    {
        if (!File.Exists(path) && !Directory.Exists(path)) throw new DataFileException(path, $"no such file or folder ({flag}); pass {what}");
    }

    /// <summary>`swarmfl node`'s data flags for this dataset; the node reads the pinned spec from <paramref name="specPath"/>.</summary>
    public IReadOnlyList<string> NodeArguments(string specPath)
    {
        var args = new List<string> { "--data", Source.Path, "--data-format", DataFormats.Name(Source.ResolvedFormat), "--data-spec", specPath };
        if (_options.Label is { } label) args.AddRange(["--label", label]);
        if (Source.ResolvedFormat == DataFormat.Images && Spec.Input is [var c, var h, var w])
            args.AddRange(["--channels", c.ToString(CultureInfo.InvariantCulture), "--image-size", $"{h}x{w}"]);
        return args;
    }

    /// <summary>The samples of each part, as the node with that index selects them (same partitioner, same seed).</summary>
    public int[][] Parts(string partition, int parts, ulong seed) => Partitioner.Parse(partition).Split(_all, parts, seed);

    /// <summary>Part <paramref name="part"/>'s training samples, scaled: its part minus the tenth the node holds out.</summary>
    public Dataset Training(int[][] parts, int part) => TorchLearner.SplitHeldOut(Spec.Scale(_all.Subset(parts[part]))).Train;

    /// <summary>The scaled test set: `--test-data`, or the pooled held-out tenths of <paramref name="parts"/>.</summary>
    public Dataset Test(int[][] parts)
    {
        if (_options.TestPath is { } path)
        {
            var test = DatasetReader.Load(Source with { Path = path }, MnistSplit.Test);
            Spec.RequireFits(test, path);
            return Spec.Scale(test);
        }
        var heldOut = parts.SelectMany(p => p.Where((_, i) => i % 10 == 9)).ToArray();
        if (heldOut.Length == 0)
            throw new DataFileException(_options.Path, $"{_all.Count} samples leave no held-out sample to score on; give more data or --test-data");
        return Spec.Scale(_all.Subset(heldOut));
    }
}
