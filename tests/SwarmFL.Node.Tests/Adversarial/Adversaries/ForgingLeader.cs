using SwarmFL.Chain.Contracts;
using SwarmFL.Crypto;
using SwarmFL.Node.Tests.EndToEnd;

namespace SwarmFL.Node.Tests.Adversarial.Adversaries;

/// <summary>
/// A member that, when elected, publishes a forged merge: the test takes the elected honest node's key from its data
/// directory and, as soon as the leaders are drawn and before its node has pulled the inputs, publishes that member's own
/// committed model as the cluster's merge. Its lists are the ones an honest leader records (the honest inputs merged,
/// each adversary's commit dropped for its reason), so only the model is false. Its node then finds the merge already
/// published and sits out. The first round from <paramref name="fromRound"/> in which it wins that race is the forgery.
/// </summary>
public sealed class ForgingLeader(ulong fromRound)
{
    private readonly List<string> _notes = [];

    public RogueLeader.Forgery? Forgery { get; private set; }
    public IReadOnlyList<string> Notes { get { lock (_notes) return [.. _notes]; } }

    public async Task PlayAsync(IReadOnlyDictionary<EthereumAddress, SwarmCoordinator> members, IReadOnlyList<Adversary> adversaries, ulong lastRound,
        CancellationToken ct)
    {
        var anyone = members.Values.First();
        Forgery = await RogueLeader.ForgeFirstLiveMergeAsync(members, fromRound, lastRound,
            async round =>
            {
                while (true)
                {
                    var now = await anyone.CurrentRoundAsync(ct);
                    if (now > round || now == round && (await anyone.RoundInfoAsync(now, ct)).Phase is not (RoundPhase.Opening or RoundPhase.Commit or RoundPhase.Election or RoundPhase.Waiting))
                        return now;
                    await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
                }
            },
            _ => new HashSet<EthereumAddress>(), Note, ct, member => adversaries.FirstOrDefault(a => a.Address == member)?.ExpectedDrop);
        if (Forgery is { } f) Note($"round {f.Round} cluster {f.Cluster}: {f.Leader} published the forged merge {f.PublishedModel}");
    }

    private void Note(string what)
    {
        lock (_notes) _notes.Add($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {what}");
    }
}
