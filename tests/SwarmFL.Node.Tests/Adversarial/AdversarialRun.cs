using SwarmFL.Node.Tests.Adversarial.Adversaries;

namespace SwarmFL.Node.Tests.Adversarial;

/// <summary>
/// Issue #13's adversarial run and its reference, run side by side (each on its own Hardhat node): the same three
/// honest nodes with the same seeds and data, once among four adversaries and a leader that forges a merge, and once
/// alone. Add an attack by adding an
/// <see cref="Adversary"/> subclass to <see cref="CreateAdversaries"/>; the tests assert on every adversary generically.
/// </summary>
public sealed class AdversarialRun : IAsyncLifetime
{
    public SmallSwarm Attacked { get; private set; } = null!;
    public SmallSwarm Reference { get; private set; } = null!;

    public static IReadOnlyList<Adversary> CreateAdversaries() =>
        [new NaNCommitter(), new WrongShapeCommitter(), new TricklingHolder(), new InflatedSamplesClaimant()];

    public async Task InitializeAsync()
    {
        var attacked = SmallSwarm.RunAsync("attacked", CreateAdversaries(), new ForgingLeader(fromRound: 1));
        var reference = SmallSwarm.RunAsync("honest", []);
        try
        {
            await Task.WhenAll(attacked, reference);
        }
        finally
        {
            if (attacked.IsCompletedSuccessfully) Attacked = attacked.Result;
            if (reference.IsCompletedSuccessfully) Reference = reference.Result;
        }
    }

    public async Task DisposeAsync()
    {
        if (Attacked is not null) await Attacked.DisposeAsync();
        if (Reference is not null) await Reference.DisposeAsync();
    }
}
