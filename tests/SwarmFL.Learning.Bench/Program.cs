using System.Diagnostics;
using System.Globalization;
using SwarmFL.Learning.Aggregation;
using SwarmFL.Learning.Data;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;
using SwarmFL.Learning.Training;
using TorchSharp;
using static TorchSharp.torch;

// Usage:
//   train DATA_DIR BATCH THREADS SAMPLES [REPEATS]   samples/s of LocalTrainer vs a bare TorchSharp loop (mnist-cnn,
//                                                    1 epoch each, REPEATS (5) interleaved runs of each; best and median)
//   models DATA_DIR BATCH THREADS SAMPLES REPEATS TS_2NN   LocalTrainer samples/s, interleaved: TorchScript mnist-2nn
//                                                    (file TS_2NN) vs the built-in, JSON mnist-cnn vs the built-in
//   aggregate MODELS REPEATS               input bytes/s of FedAvg, median, Krum over MODELS mnist-cnn models vs a memory copy
//   readers CSV IMAGE_DIR REPEATS          MB/s and rows/s of the CSV reader on CSV, images/s of the image-folder reader
//                                          on IMAGE_DIR (DatasetReader.Load, as the nodes call it); best and median
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
return args switch
{
    ["train", var dir, var batch, var threads, var samples] => Train(dir, int.Parse(batch), int.Parse(threads), int.Parse(samples), 5),
    ["train", var dir, var batch, var threads, var samples, var repeats] => Train(dir, int.Parse(batch), int.Parse(threads), int.Parse(samples), int.Parse(repeats)),
    ["aggregate", var models, var repeats] => Aggregate(int.Parse(models), int.Parse(repeats)),
    ["models", var dir, var batch, var threads, var samples, var repeats, var torchScript] =>
        Models(dir, int.Parse(batch), int.Parse(threads), int.Parse(samples), int.Parse(repeats), torchScript),
    ["readers", var csv, var images, var repeats] => Readers(csv, images, int.Parse(repeats)),
    _ => Usage(),
};

static int Readers(string csv, string images, int repeats)
{
    var megabytes = new FileInfo(csv).Length / 1e6;
    var csvRuns = new List<(double Seconds, int Rows)>();
    var imageRuns = new List<(double Seconds, int Images)>();
    for (var repeat = 0; repeat < repeats; repeat++)
    {
        var clock = Stopwatch.StartNew();
        var table = DatasetReader.Load(new DataSource { Path = csv, Format = DataFormat.Csv });
        csvRuns.Add((clock.Elapsed.TotalSeconds, table.Count));
        clock.Restart();
        var folder = DatasetReader.Load(new DataSource { Path = images, Format = DataFormat.Images, Channels = 1 });
        imageRuns.Add((clock.Elapsed.TotalSeconds, folder.Count));
        Console.WriteLine($"run {repeat + 1}: csv {csvRuns[^1].Seconds:F2} s ({table.Count} rows × {table.SampleSize} features), " +
                          $"images {imageRuns[^1].Seconds:F2} s ({folder.Count} images, shape [{string.Join(", ", folder.SampleShape)}])");
    }
    static (double Best, double Median) Stats(IEnumerable<double> rates)
    {
        var sorted = rates.OrderBy(r => r).ToList();
        return (sorted[^1], sorted[sorted.Count / 2]);
    }
    var mb = Stats(csvRuns.Select(r => megabytes / r.Seconds));
    var rows = Stats(csvRuns.Select(r => r.Rows / r.Seconds));
    var png = Stats(imageRuns.Select(r => r.Images / r.Seconds));
    Console.WriteLine($"csv {megabytes:F1} MB: best {mb.Best:F1} MB/s ({rows.Best:F0} rows/s), median {mb.Median:F1} MB/s ({rows.Median:F0} rows/s)");
    Console.WriteLine($"images: best {png.Best:F0} images/s, median {png.Median:F0} images/s");
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: train DATA_DIR BATCH THREADS SAMPLES [REPEATS] | aggregate MODELS REPEATS");
    return 2;
}

static int Train(string dir, int batch, int threads, int samples, int repeats)
{
    set_num_threads(threads);
    var dataset = MnistDataset.Load(dir, MnistSplit.Train).Take(samples);
    using var data = new TensorData(dataset);
    var spec = ModelSpec.MnistCnn;
    var start = ModelWeights.Initial(spec, 1);
    var localTrainer = new LocalTrainer(spec);
    var options = new TrainingOptions { Epochs = 1, BatchSize = batch, LearningRate = 0.05, Threads = threads, Seed = 1 };

    // Warm-up: libtorch allocates and picks kernels on the first batches.
    using (var warm = new TensorData(dataset.Take(batch * 20))) localTrainer.Train(start, warm, options);
    BareLoop(spec, start, data, batch, Math.Min(20, data.Count / batch));

    // Interleaved, alternating which goes first, so both see the same background load; the trainer's rate counts its
    // whole Train call (network set-up, weight load and read-back included), the bare loop only its batches. Rates per
    // second of process CPU time are printed too: on a loaded machine they show the work each does, not the waiting
    // (with several libtorch threads they also count the threads' spin-waiting, so compare them at THREADS=1).
    var trainer = new List<(double Wall, double Cpu)>();
    var bare = new List<(double Wall, double Cpu)>();
    for (var repeat = 0; repeat < repeats; repeat++)
    {
        if (repeat % 2 == 1) bare.Add(BareLoop(spec, start, data, batch, data.Count / batch));
        var cpuBefore = CpuClock.ProcessSeconds();
        var result = localTrainer.Train(start, data, options, _ => { });
        trainer.Add((result.SamplesPerSecond, result.Samples / (CpuClock.ProcessSeconds() - cpuBefore)));
        if (repeat % 2 == 0) bare.Add(BareLoop(spec, start, data, batch, data.Count / batch));
    }
    Console.WriteLine($"mnist-cnn B={batch} threads={threads} samples={data.Count}, {repeats} interleaved runs each, samples/s:");
    foreach (var (label, pick) in new (string, Func<(double Wall, double Cpu), double>)[] { ("wall", r => r.Wall), ("cpu ", r => r.Cpu) })
    {
        var (t, b) = (trainer.Select(pick).ToList(), bare.Select(pick).ToList());
        Console.WriteLine($"  {label} best:   LocalTrainer {t.Max(),6:F0}, bare TorchSharp loop {b.Max(),6:F0}, trainer/bare {t.Max() / b.Max():P1}");
        Console.WriteLine($"  {label} median: LocalTrainer {Median(t),6:F0}, bare TorchSharp loop {Median(b),6:F0}, trainer/bare {Median(t) / Median(b):P1}" +
                          $"   (runs in order: trainer {string.Join(" ", t.Select(r => r.ToString("F0")))}; bare {string.Join(" ", b.Select(r => r.ToString("F0")))})");
    }
    return 0;
}

// The same trainer on two forms of one model, interleaved (alternating which goes first), from the same start weights.
static int Models(string dir, int batch, int threads, int samples, int repeats, string torchScriptPath)
{
    set_num_threads(threads);
    var dataset = MnistDataset.Load(dir, MnistSplit.Train).Take(samples);
    using var data = new TensorData(dataset);
    var jsonCnn = SwarmFL.Learning.Models.Declarative.DeclarativeModel.Load(
        Path.Combine("node", "SwarmFL.Learning", "Models", "Declarative", "Examples", "mnist-cnn.json"));
    var pairs = new (string Name, ModelDefinition Reference, ModelDefinition Other)[]
    {
        ("TorchScript mnist-2nn vs built-in mnist-2nn", SwarmFL.Learning.Models.BuiltIn.BuiltInModel.Mnist2nn, SwarmFL.Learning.Models.TorchScript.TorchScriptModel.Load(torchScriptPath)),
        ("JSON mnist-cnn vs built-in mnist-cnn", SwarmFL.Learning.Models.BuiltIn.BuiltInModel.MnistCnn, jsonCnn),
    };
    var options = new TrainingOptions { Epochs = 1, BatchSize = batch, LearningRate = 0.05, Threads = threads, Seed = 1 };
    foreach (var (name, reference, other) in pairs)
    {
        var start = reference.Initial(1);
        using (var warm = new TensorData(dataset.Take(batch * 20)))
        {
            new LocalTrainer(reference).Train(start, warm, options);
            new LocalTrainer(other).Train(start, warm, options);
        }
        var a = new List<(double Wall, double Cpu)>();
        var b = new List<(double Wall, double Cpu)>();
        for (var repeat = 0; repeat < repeats; repeat++)
        {
            var order = repeat % 2 == 0 ? new[] { (reference, a), (other, b) } : [(other, b), (reference, a)];
            foreach (var (model, results) in order)
            {
                var cpuBefore = CpuClock.ProcessSeconds();
                var result = new LocalTrainer(model).Train(start, data, options, _ => { });
                results.Add((result.SamplesPerSecond, result.Samples / (CpuClock.ProcessSeconds() - cpuBefore)));
            }
        }
        Console.WriteLine($"{name}: B={batch} threads={threads} samples={data.Count}, {repeats} interleaved runs each, samples/s:");
        foreach (var (label, pick) in new (string, Func<(double Wall, double Cpu), double>)[] { ("wall", r => r.Wall), ("cpu ", r => r.Cpu) })
        {
            var (x, y) = (a.Select(pick).ToList(), b.Select(pick).ToList());
            Console.WriteLine($"  {label} best:   built-in {x.Max(),6:F0}, other {y.Max(),6:F0}, other/built-in {y.Max() / x.Max():P1}");
            Console.WriteLine($"  {label} median: built-in {Median(x),6:F0}, other {Median(y),6:F0}, other/built-in {Median(y) / Median(x):P1}" +
                              $"   (runs: built-in {string.Join(" ", x.Select(r => r.ToString("F0")))}; other {string.Join(" ", y.Select(r => r.ToString("F0")))})");
        }
    }
    return 0;
}

static double Median(List<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

// The same model and SGD step over tensors already in memory, in order: no shuffle, no callbacks, no bookkeeping.
// Returns samples per second of wall-clock and of process CPU time.
static (double Wall, double Cpu) BareLoop(ModelSpec spec, ModelWeights start, TensorData data, int batch, int batches)
{
    using var network = new SpecNetwork(spec);
    network.LoadWeights(start);
    network.train();
    using var optimizer = optim.SGD(network.parameters(), 0.05);
    var cpuBefore = CpuClock.ProcessSeconds();
    var stopwatch = Stopwatch.StartNew();
    for (var b = 0; b < batches; b++)
    {
        using var scope = NewDisposeScope();
        var x = data.Images.narrow(0, b * batch, batch);
        var y = data.Labels.narrow(0, b * batch, batch);
        optimizer.zero_grad();
        var loss = nn.functional.cross_entropy(network.call(x), y);
        loss.backward();
        optimizer.step();
    }
    return (batches * batch / stopwatch.Elapsed.TotalSeconds, batches * batch / (CpuClock.ProcessSeconds() - cpuBefore));
}

static int Aggregate(int count, int repeats)
{
    var spec = ModelSpec.MnistCnn;
    var layout = spec.Layout();
    var models = Enumerable.Range(1, count).Select(i => ModelWeights.Initial(spec, (ulong)i)).ToArray();
    var updates = models.Select((m, i) => ModelUpdate.InMemory(m, 100 + i)).ToArray();
    foreach (var u in updates) _ = u.Id; // content ids are computed once when updates arrive, not per merge
    var inputBytes = layout.ParameterCount * 4L * count;
    Console.WriteLine($"{count} mnist-cnn models, {inputBytes / 1e6:F1} MB of input");

    var destination = new float[layout.ParameterCount * count];
    var copy = Measure(repeats, () =>
    {
        long offset = 0;
        foreach (var m in models)
            foreach (var v in m.Values)
            {
                v.AsSpan().CopyTo(destination.AsSpan((int)offset));
                offset += v.Length;
            }
    });
    Report("memory copy (1 thread)", inputBytes, copy, copy);
    // A node merges every round, so its heap holds memory the collector has recycled; a fresh process does not, and its
    // first merges pay a page fault per 4 KiB of result. Say what the first merge costs, then warm the heap the same way
    // for every strategy below.
    var cold = Stopwatch.StartNew();
    new FedAvg { Threads = 1 }.Aggregate(new UpdateSet(layout, updates));
    Console.WriteLine($"  first fedavg merge of the process (cold heap, 1 thread): {cold.Elapsed.TotalMilliseconds:F1} ms; warming the heap with 30 more");
    for (var i = 0; i < 30; i++) new FedAvg { Threads = 1 }.Aggregate(new UpdateSet(layout, updates));
    // Every strategy twice: on the calling thread only, and on all cores (the default); the bytes are the same.
    foreach (var threads in new[] { 1, 0 })
    {
        var label = threads == 1 ? "1 thread" : $"{Environment.ProcessorCount} cores";
        foreach (var strategy in new IAggregationStrategy[] { new FedAvg { Threads = threads }, new CoordinateMedian { Threads = threads }, new TrimmedMean(0.1) { Threads = threads }, new Krum(2) { Threads = threads }, new Krum(2, 5) { Threads = threads }, new GeometricMedian { Threads = threads } })
        {
            var seconds = Measure(repeats, () => strategy.Aggregate(new UpdateSet(layout, updates)));
            var extra = strategy is GeometricMedian g ? $", {g.LastIterations} Weiszfeld iterations" : "";
            Report($"{strategy.Name} ({label}{extra})", inputBytes, seconds, copy);
        }
    }
    // For context only, and last so its heap churn does not change what the strategies above find: the same copy into
    // freshly allocated arrays, as a merge's result must be, pays for first-touch page faults on fresh heap memory
    // (expensive on virtual machines; see ResultArrays in the learning layer).
    var fresh = Measure(repeats, () =>
    {
        foreach (var m in models)
            foreach (var v in m.Values) v.AsSpan().CopyTo(GC.AllocateUninitializedArray<float>(v.Length));
    });
    Report("(copy into fresh arrays, 1 thread)", inputBytes, fresh, copy);
    return 0;
}

// Best and median wall-clock and process CPU time over the repeats, after three warm-up runs, and the wall-clock time
// of the very first run. The warm-ups matter: a merge's result is fresh heap memory, and until the collector has
// recycled some, every first touch of a page is a page fault (about 10 µs each on the benchmark VM), so the first
// merges of a process are slower than those of a node that has been merging for a while. On a machine shared with
// other busy processes the CPU time is the fairer figure: a long run is preempted far more often than a 5 ms copy.
// CPU time comes from clock_gettime(CLOCK_PROCESS_CPUTIME_ID) (nanoseconds; Process.TotalProcessorTime counts 10 ms
// ticks on Linux) and, for a run on several cores, is the sum over its threads.
static Timing Measure(int repeats, Action action)
{
    var first = Stopwatch.StartNew();
    action();
    var firstWall = first.Elapsed.TotalSeconds;
    action();
    action();
    var (walls, cpus) = (new List<double>(), new List<double>());
    for (var i = 0; i < repeats; i++)
    {
        var cpuBefore = CpuClock.ProcessSeconds();
        var stopwatch = Stopwatch.StartNew();
        action();
        walls.Add(stopwatch.Elapsed.TotalSeconds);
        cpus.Add(CpuClock.ProcessSeconds() - cpuBefore);
    }
    return new Timing(walls.Min(), Median(walls), cpus.Min(), Median(cpus), firstWall);
}

// Throughput in bytes of input per second and as a share of the copy's, from the best run; the median run in brackets.
static void Report(string name, long bytes, Timing t, Timing copy) =>
    Console.WriteLine($"  {name,-48} wall {t.Wall * 1000,7:F1} ms ({t.WallMedian * 1000,7:F1}) {bytes / t.Wall / 1e9,6:F2} GB/s {copy.Wall / t.Wall,6:P1} ({copy.WallMedian / t.WallMedian,6:P1}) of copy" +
                      $" | cpu {t.Cpu * 1000,7:F1} ms ({t.CpuMedian * 1000,7:F1}) {bytes / t.Cpu / 1e9,6:F2} GB/s {copy.Cpu / t.Cpu,6:P1} ({copy.CpuMedian / t.CpuMedian,6:P1}) of copy" +
                      $" | first run {t.FirstWall * 1000,7:F1} ms");

static class CpuClock
{
    private const int ProcessCpuTime = 2; // CLOCK_PROCESS_CPUTIME_ID

    [System.Runtime.InteropServices.DllImport("libc")]
    private static extern int clock_gettime(int clock, out TimeSpec time);

    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    public static double ProcessSeconds()
    {
        if (!OperatingSystem.IsLinux()) return Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        if (clock_gettime(ProcessCpuTime, out var t) != 0) throw new InvalidOperationException("clock_gettime failed");
        return t.Seconds + t.Nanoseconds / 1e9;
    }
}

record Timing(double Wall, double WallMedian, double Cpu, double CpuMedian, double FirstWall);
