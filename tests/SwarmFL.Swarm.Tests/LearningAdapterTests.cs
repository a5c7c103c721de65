using SwarmFL.Crypto;
using SwarmFL.Learning.Aggregation;
using SwarmFL.Learning.Data;
using SwarmFL.Learning.ModelFiles;
using SwarmFL.Learning.Models;
using SwarmFL.Learning.Training;
using SwarmFL.Swarm.Adapters;
using SwarmFL.Swarm.Ports;
using SwarmFL.TestSupport;

namespace SwarmFL.Swarm.Tests;

/// <summary>The learner and merge ports over real TorchSharp training on a small slice of real MNIST.</summary>
public class LearningAdapterTests
{
    private static readonly ModelSpec Spec = ModelSpec.Mnist2nn;

    private static TorchLearner Learner(int part)
    {
        var all = MnistDataset.Load(RepoPaths.MnistData, MnistSplit.Train).Take(2000);
        var partition = all.Subset(new IidPartitioner().Split(all.Labels, 2, seed: 7)[part]);
        var (train, heldOut) = TorchLearner.SplitHeldOut(partition);
        return new TorchLearner(Spec, train, heldOut, new TrainingOptions { Epochs = 1, BatchSize = 10, LearningRate = 0.05, Seed = 11, Threads = 1 });
    }

    [Fact]
    public async Task Training_improves_held_out_accuracy_and_is_reproducible_for_a_round()
    {
        using var learner = Learner(0);
        var genesis = ModelWeights.Initial(Spec, seed: 1).ToSafeTensors();
        var before = await learner.EvaluateAsync(genesis, default);
        var first = await learner.TrainAsync(genesis, round: 1, null, default);
        var again = await learner.TrainAsync(genesis, round: 1, null, default);
        var after = await learner.EvaluateAsync(first.Model, default);

        Assert.True(after > before + 0.2, $"held-out accuracy {before:P1} → {after:P1}");
        Assert.Equal(ContentId.Of(first.Model), ContentId.Of(again.Model));
        Assert.Equal(learner.TrainingSamples, first.Samples);
        Assert.Equal(after, first.HeldOutAccuracy, 12); // the update reports its own held-out score
    }

    [Fact]
    public async Task Merging_is_independent_of_input_order_and_drops_bad_inputs()
    {
        using var a = Learner(0);
        using var b = Learner(1);
        var genesis = ModelWeights.Initial(Spec, seed: 1).ToSafeTensors();
        var ua = await a.TrainAsync(genesis, 1, null, default);
        var ub = await b.TrainAsync(genesis, 1, null, default);
        var inputs = new[] { new MergeInput(ContentId.Of(ua.Model), ua.Model, 600), new MergeInput(ContentId.Of(ub.Model), ub.Model, 400) };

        var engine = new LearningMergeEngine(Spec);
        var forward = engine.Merge("fedavg", genesis, inputs);
        var backward = engine.Merge("fedavg", genesis, inputs.Reverse().ToArray());
        Assert.Equal(ContentId.Of(forward.Model), ContentId.Of(backward.Model));
        Assert.NotEqual(ContentId.Of(ua.Model), ContentId.Of(forward.Model));

        var truncated = ua.Model[..(ua.Model.Length / 2)];
        var withTruncated = engine.Merge("fedavg", genesis, [new MergeInput(ContentId.Of(truncated), truncated, 1), inputs[1]]);
        Assert.Equal(ContentId.Of(ub.Model), ContentId.Of(withTruncated.Model));
        var dropped = Assert.Single(withTruncated.Dropped);
        Assert.Equal((ContentId.Of(truncated), RejectionReason.WrongSize), (dropped.Id, dropped.Reason));
        Assert.Throws<MergeRefusedException>(() => engine.Merge("fedavg", genesis, []));
        Assert.Throws<MergeRefusedException>(() => engine.Merge("fedavg", genesis, [inputs[0] with { Samples = 0 }]));
    }
}
