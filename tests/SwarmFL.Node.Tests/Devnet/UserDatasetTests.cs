using System.Globalization;
using SwarmFL.Node.Devnet;
using SwarmFL.TestSupport;

namespace SwarmFL.Node.Tests.Devnet;

/// <summary>
/// The launcher's reading of the user's dataset: the spec it pins, the data flags the nodes get, and the scoring set
/// without --test-data (the nodes' pooled held-out tenths), which must share no sample with any part's training set.
/// </summary>
public sealed class UserDatasetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("swarmfl-user-dataset").FullName;
    private static string TabularModel => Path.Combine(RepoPaths.Root, "examples", "tabular-csv", "model.json");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Rows whose first feature is the row's own index, so a sample names where it came from.</summary>
    private string Csv(int rows)
    {
        var path = Path.Combine(_dir, "data.csv");
        File.WriteAllLines(path, new[] { "id,x,y,z,kind" }.Concat(Enumerable.Range(0, rows)
            .Select(i => string.Create(CultureInfo.InvariantCulture, $"{i},{i % 7},{i * 0.5},{i % 3},{(i % 3 == 0 ? "low" : i % 3 == 1 ? "mid" : "high")}"))));
        return path;
    }

    private static UserDataset Prepare(string csv) => UserDataset.Prepare(new UserDataOptions { Path = csv }, SwarmFL.Learning.Models.ModelResolver.Resolve(TabularModel));

    [Fact]
    public void The_pinned_spec_names_the_model_the_classes_and_the_scaling()
    {
        var data = Prepare(Csv(120));
        Assert.Equal(["high", "low", "mid"], data.Spec.Classes);
        Assert.Equal([4], data.Spec.Input);
        Assert.Equal("accuracy", data.Metric);
        Assert.Equal(SwarmFL.Learning.Models.ModelResolver.Resolve(TabularModel).HashHex, data.Spec.Model);
        var args = data.NodeArguments("/run/data-spec.json");
        Assert.Equal(["--data", Path.Combine(_dir, "data.csv"), "--data-format", "csv", "--data-spec", "/run/data-spec.json"], args);
    }

    [Theory]
    [InlineData("iid", 3, 300)]
    [InlineData("shards:2", 4, 400)]
    [InlineData("dirichlet:0.5", 3, 257)]
    public void Without_test_data_the_scoring_set_is_the_pooled_held_out_tenths_and_no_part_trains_on_it(string partition, int nodes, int rows)
    {
        var data = Prepare(Csv(rows));
        var parts = data.Parts(partition, nodes, NodeCommandLine.PartitionSeed);
        // Standardised ids are still distinct and in the same order, so they identify the rows after scaling.
        var test = data.Test(parts);
        var tested = Enumerable.Range(0, test.Count).Select(i => test.Features[i * test.SampleSize]).ToHashSet();
        var trainingCount = 0;
        for (var part = 0; part < nodes; part++)
        {
            var training = data.Training(parts, part);
            trainingCount += training.Count;
            for (var i = 0; i < training.Count; i++) Assert.DoesNotContain(training.Features[i * training.SampleSize], tested);
        }
        Assert.Equal(parts.Sum(p => p.Length / 10), test.Count);
        Assert.Equal(rows, trainingCount + test.Count);
    }
}
