using System.CommandLine;
using SwarmFL.Crypto;
using SwarmFL.Learning.Data;
using SwarmFL.Learning.Data.Scaling;
using SwarmFL.Learning.Metrics;
using SwarmFL.Learning.Models;
using SwarmFL.Node.Cli;

namespace SwarmFL.Node.Commands;

/// <summary>
/// `swarmfl data-spec`: the swarm creator fits the data spec (task, headline metric, classes, input shape, scaling
/// constants) on their own data and writes it; `swarm create --data-spec` pins it with the model, and every member runs
/// with the same file. `swarmfl data-info` shows what a dataset reads as, to check the flags before a run.
/// </summary>
public sealed class DataCommands : ICommandModule
{
    public IEnumerable<Command> CreateCommands()
    {
        yield return DataSpecCommand();
        yield return DataInfoCommand();
    }

    private static Command DataSpecCommand()
    {
        var data = new DataOptions();
        var metric = new Option<string?>("--metric") { Description = "Headline metric members commit: accuracy, macro-f1, roc-auc (binary) or r2 (default: accuracy, or r2 for regression)" };
        var model = new Option<string>("--model") { Description = ModelArgument.Help + ": the swarm's model, named in the spec by its hash", Required = true };
        var output = new Option<string>("--out") { Description = "Where to write the data spec (JSON)", Required = true };
        var command = new Command("data-spec", "Fit the swarm's data spec (task, metric, classes, shape, scaling constants) on the creator's data and write it") { metric, model, output };
        data.AddTo(command);
        command.SetAction((parse, _) =>
        {
            var source = data.Source(parse);
            var modelDefinition = ModelArgument.Resolve(parse.GetValue(model)!);
            var dataset = DatasetReader.Load(source);
            var kind = parse.GetValue(data.Scaling) ?? (source.ResolvedFormat is DataFormat.Csv or DataFormat.Npz ? FeatureScaling.Standard : FeatureScaling.None);
            DataSpec spec;
            try { spec = DataSpec.Fit(dataset, kind.Trim().ToLowerInvariant(), parse.GetValue(metric), modelDefinition.Hash()); }
            catch (FormatException e) { throw new UserFacingException(e.Message, ExitCodes.BadInput, e); }
            var path = parse.GetValue(output)!;
            File.WriteAllText(path, spec.ToJson() + "\n");
            Console.WriteLine($"data: {dataset}");
            Console.WriteLine($"task: {spec.Task}, metric: {spec.Metric}, scaling: {spec.Scaling}");
            Console.WriteLine($"model: {modelDefinition}");
            Console.WriteLine($"pinned-hash: {Hex.Encode(spec.PinnedHash(modelDefinition.Hash()))} (what `swarm create --data-spec` pins)");
            Console.WriteLine($"written: {path}");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }

    private static Command DataInfoCommand()
    {
        var data = new DataOptions();
        var command = new Command("data-info", "Read a dataset with the data flags and print its shape, classes and label counts");
        data.AddTo(command);
        command.SetAction((parse, _) =>
        {
            var source = data.Source(parse);
            var dataset = DatasetReader.Load(source);
            Console.WriteLine($"format: {DataFormats.Name(source.ResolvedFormat)}");
            Console.WriteLine($"samples: {dataset.Count}");
            Console.WriteLine($"shape: [{string.Join(", ", dataset.SampleShape)}]");
            Console.WriteLine($"task: {DataSource.TaskName(dataset.Task)}");
            if (dataset.FeatureNames.Count > 0) Console.WriteLine($"features: {string.Join(", ", dataset.FeatureNames)}");
            if (dataset.IsClassification)
            {
                var histogram = dataset.LabelHistogram();
                for (var c = 0; c < dataset.ClassNames.Count; c++) Console.WriteLine($"class {c}: {dataset.ClassNames[c]} ({histogram[c]} samples)");
            }
            else Console.WriteLine($"targets: min {dataset.Targets!.Min()}, max {dataset.Targets!.Max()}, mean {dataset.Targets!.Average():G6}");
            return Task.FromResult(ExitCodes.Ok);
        });
        return command;
    }
}
