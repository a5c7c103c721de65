using System.Collections.Concurrent;
using SwarmFL.Crypto;
using SwarmFL.Swarm.Collections;
using SwarmFL.Swarm.Ports;
using SwarmFL.Swarm.Rounds;

namespace SwarmFL.Swarm.Hosting;

/// <summary>
/// The validation reports heard by gossip (and this node's own), per model: the live view's swarm accuracy before the
/// commits that carry the same reports reach the chain. Advisory only: run results take the chain's figures.
/// </summary>
public sealed class ValidationBoard
{
    private const int KeepModels = 16;
    private readonly RecentMap<ContentId, ConcurrentDictionary<string, ValidationReport>> _reports = new(KeepModels);

    public void Note(ContentId model, string reporter, double accuracy, ulong samples) =>
        _reports.GetOrAdd(model, () => new ConcurrentDictionary<string, ValidationReport>())[reporter] = new ValidationReport(accuracy, samples);

    public bool HasReported(ContentId model, string reporter) => _reports.TryGetValue(model, out var reports) && reports.ContainsKey(reporter);

    public SwarmValidation? For(ContentId model) => _reports.TryGetValue(model, out var reports) ? SwarmValidation.Of(reports.Values) : null;
}

/// <summary>Announces as the inner announcer does, and puts this node's own validation reports on the board.</summary>
internal sealed class BoardingAnnouncer(IModelAnnouncer inner, ValidationBoard board, string self) : IModelAnnouncer
{
    public Task AnnounceAsync(ModelAnnouncement announcement, CancellationToken ct)
    {
        if (announcement.Kind == AnnouncementKind.Validation) board.Note(announcement.Model, self, announcement.Accuracy, announcement.Samples);
        return inner.AnnounceAsync(announcement, ct);
    }
}
