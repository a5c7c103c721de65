using SwarmFL.Crypto;
using SwarmFL.Swarm.Ports;

namespace SwarmFL.Swarm.Hosting;

/// <summary>
/// Every model file of a swarm has the same size (one model spec, one canonical layout), so a transfer whose sender did
/// not say how big it is can still show a fraction: this decorator fills in the expected size.
/// </summary>
internal sealed class SizedTransfers(IModelExchange inner, long modelFileBytes) : IModelExchange
{
    public Task<ContentId> PutAsync(ReadOnlyMemory<byte> model, CancellationToken ct) => inner.PutAsync(model, ct);

    public Task<byte[]> GetAsync(ContentId id, CancellationToken ct) => inner.GetAsync(id, null, ct);

    public Task<byte[]> GetAsync(ContentId id, IProgress<TransferProgress>? progress, CancellationToken ct) =>
        inner.GetAsync(id, progress is null ? null : new Sized(progress, modelFileBytes), ct);

    public void NoteHeldBy(ContentId model, EthereumAddress member) => inner.NoteHeldBy(model, member);

    private sealed class Sized(IProgress<TransferProgress> outer, long total) : IProgress<TransferProgress>
    {
        public void Report(TransferProgress value) => outer.Report(value.TotalBytes is null ? value with { TotalBytes = total } : value);
    }
}
