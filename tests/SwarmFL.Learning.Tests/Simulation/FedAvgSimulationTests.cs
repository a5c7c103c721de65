using SwarmFL.Learning.Models;
using SwarmFL.Learning.Simulation;
using SwarmFL.Learning.Tests.Data;
using SwarmFL.Learning.Training;
using Xunit.Abstractions;

namespace SwarmFL.Learning.Tests.Simulation;

public class FedAvgSimulationTests(ITestOutputHelper output)
{
    private static SimulationOptions Small => new()
    {
        Spec = ModelSpec.Mnist2nn, Clients = 10, Fraction = 0.3, Rounds = 3, Partition = "iid", Seed = 3,
        Training = new TrainingOptions { Epochs = 1, BatchSize = 10, LearningRate = 0.05, Threads = 1 },
    };

    [Fact]
    public void FederatedAveragingLearnsAndIsRepeatable()
    {
        var train = MnistTestData.Train.Take(3000);
        var test = MnistTestData.Test.Take(1000);
        var progressCalls = 0;
        var a = new FedAvgSimulation().Run(train, test, Small, r => output.WriteLine($"round {r.Round}: {r.Test} clients [{string.Join(",", r.Clients)}]"), _ => progressCalls++);
        var b = new FedAvgSimulation().Run(train, test, Small);
        Assert.Equal(3, a.Rounds.Count);
        Assert.All(a.Rounds, r => Assert.Equal(3, r.Clients.Count));
        Assert.True(a.Rounds[^1].Test.Accuracy > 0.7, a.Rounds[^1].Test.ToString());
        Assert.True(a.Rounds[^1].Test.Accuracy > a.Rounds[0].Test.Accuracy);
        Assert.True(a.Rounds[^1].Test.Loss < a.Rounds[0].Test.Loss);
        Assert.Equal(a.Rounds.Select(r => r.ModelId), b.Rounds.Select(r => r.ModelId));
        Assert.True(progressCalls > 0);
    }

    [Fact]
    public void StopsAtTheTargetAccuracy()
    {
        var result = new FedAvgSimulation().Run(MnistTestData.Train.Take(2000), MnistTestData.Test.Take(500),
            Small with { Rounds = 10, TargetAccuracy = 0.5, Partition = "shards:2" });
        Assert.NotNull(result.RoundsToTarget);
        Assert.Equal(result.RoundsToTarget, result.Rounds.Count);
        Assert.True(result.Rounds[^1].Test.Accuracy >= 0.5);
    }
}
