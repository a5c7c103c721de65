using System.Text;
using SwarmFL.P2P.Framing;

namespace SwarmFL.P2P.MultistreamSelect;

/// <summary>
/// multistream-select 1.0 (libp2p/specs connections, multiformats/multistream-select): each message is a
/// varint-length-prefixed UTF-8 line ending in '\n'. Both sides send the header first; the initiator proposes
/// protocols one by one, the responder echoes a supported one or answers "na"; "ls" lists what the responder speaks.
/// </summary>
public static class Multistream
{
    public const string ProtocolId = "/multistream/1.0.0";
    public const string NotAvailable = "na";
    public const string List = "ls";
    /// <summary>A protocol line is short; anything longer is hostile.</summary>
    public const int MaxMessageLength = 1024;
    /// <summary>How many proposals a responder hears before it gives up on the initiator.</summary>
    public const int MaxProposals = 32;

    /// <summary>As initiator: proposes the protocols in order of preference and returns the one the responder accepted.</summary>
    public static async Task<string> SelectAsync(Stream stream, IReadOnlyList<string> protocols, CancellationToken ct)
    {
        if (protocols.Count == 0) throw new ArgumentException("propose at least one protocol");
        // The header and the first proposal go out together (as go-libp2p does), saving a round trip when it is accepted.
        await WriteMessagesAsync(stream, [ProtocolId, protocols[0]], ct).ConfigureAwait(false);
        var header = await ReadLineAsync(stream, ct).ConfigureAwait(false);
        if (header != ProtocolId) throw new ProtocolViolationException($"peer does not speak {ProtocolId} (sent '{Printable(header)}')");
        for (var i = 0; ; )
        {
            var answer = await ReadLineAsync(stream, ct).ConfigureAwait(false);
            if (answer == protocols[i]) return answer;
            if (answer != NotAvailable) throw new ProtocolViolationException($"peer answered '{Printable(answer)}' to proposal '{protocols[i]}'");
            if (++i == protocols.Count) throw new ProtocolNotSupportedException(protocols);
            await WriteMessagesAsync(stream, [protocols[i]], ct).ConfigureAwait(false);
        }
    }

    /// <summary>As initiator: asks the responder which protocols it supports ("ls").</summary>
    public static async Task<IReadOnlyList<string>> ListAsync(Stream stream, CancellationToken ct)
    {
        await WriteMessagesAsync(stream, [ProtocolId, List], ct).ConfigureAwait(false);
        var header = await ReadLineAsync(stream, ct).ConfigureAwait(false);
        if (header != ProtocolId) throw new ProtocolViolationException($"peer does not speak {ProtocolId}");
        var payload = await LengthPrefixed.ReadAsync(stream, 64 * 1024, ct).ConfigureAwait(false)
            ?? throw new ProtocolViolationException("stream ended before the ls answer");
        // The answer is one message holding one length-prefixed line per protocol (go-multistream's format).
        var protocols = new List<string>();
        using var inner = new MemoryStream(payload);
        while (inner.Position < inner.Length)
        {
            var line = await ReadLineAsync(inner, ct).ConfigureAwait(false);
            if (line.Length > 0) protocols.Add(line);
        }
        return protocols;
    }

    /// <summary>As responder: waits for a proposal it supports, confirms it and returns it.</summary>
    public static async Task<string> NegotiateAsync(Stream stream, Func<string, bool> isSupported, Func<IEnumerable<string>> listSupported, CancellationToken ct)
    {
        var headerWrite = WriteMessagesAsync(stream, [ProtocolId], ct);
        var header = await ReadLineAsync(stream, ct).ConfigureAwait(false);
        await headerWrite.ConfigureAwait(false);
        if (header != ProtocolId) throw new ProtocolViolationException($"peer does not speak {ProtocolId} (sent '{Printable(header)}')");
        for (var i = 0; i < MaxProposals; i++)
        {
            var proposal = await ReadLineAsync(stream, ct).ConfigureAwait(false);
            if (proposal == List)
            {
                await WriteListAsync(stream, listSupported(), ct).ConfigureAwait(false);
            }
            else if (isSupported(proposal))
            {
                await WriteMessagesAsync(stream, [proposal], ct).ConfigureAwait(false);
                return proposal;
            }
            else
            {
                await WriteMessagesAsync(stream, [NotAvailable], ct).ConfigureAwait(false);
            }
        }
        throw new ProtocolViolationException($"peer made more than {MaxProposals} proposals");
    }

    public static Task<string> NegotiateAsync(Stream stream, IReadOnlyCollection<string> supported, CancellationToken ct)
        => NegotiateAsync(stream, supported.Contains, () => supported, ct);

    private static async Task WriteListAsync(Stream stream, IEnumerable<string> protocols, CancellationToken ct)
    {
        using var inner = new MemoryStream();
        foreach (var protocol in protocols) AppendMessage(inner, protocol);
        AppendMessage(inner, "");
        var payload = inner.ToArray();
        await LengthPrefixed.WriteAsync(stream, payload, ct).ConfigureAwait(false);
    }

    internal static async Task WriteMessagesAsync(Stream stream, IEnumerable<string> lines, CancellationToken ct)
    {
        using var output = new MemoryStream();
        foreach (var line in lines) AppendMessage(output, line);
        await stream.WriteAsync(output.GetBuffer().AsMemory(0, (int)output.Length), ct).ConfigureAwait(false);
        await stream.FlushAsync(ct).ConfigureAwait(false);
    }

    private static void AppendMessage(MemoryStream output, string line)
    {
        if (line.Contains('\n')) throw new ArgumentException("a protocol id cannot contain a newline");
        var bytes = Encoding.UTF8.GetBytes(line + "\n");
        if (bytes.Length > MaxMessageLength) throw new ArgumentException($"protocol id longer than {MaxMessageLength} bytes");
        output.Write(Crypto.Multiformats.UVarint.Encode((ulong)bytes.Length));
        output.Write(bytes);
    }

    internal static async Task<string> ReadLineAsync(Stream stream, CancellationToken ct)
    {
        var length = await LengthPrefixed.ReadLengthAsync(stream, MaxMessageLength, ct).ConfigureAwait(false)
            ?? throw new ProtocolViolationException("stream ended during multistream-select");
        var bytes = new byte[length];
        await LengthPrefixed.ReadExactlyAsync(stream, bytes, ct).ConfigureAwait(false);
        if (length == 0 || bytes[^1] != '\n') throw new ProtocolViolationException("multistream message does not end in a newline");
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes, 0, length - 1);
        }
        catch (DecoderFallbackException e)
        {
            throw new ProtocolViolationException("multistream message is not UTF-8", e);
        }
    }

    private static string Printable(string s) => s.Length > 64 ? s[..64] + "…" : s;
}

/// <summary>The peer answered "na" to every protocol we proposed.</summary>
public sealed class ProtocolNotSupportedException(IReadOnlyList<string> protocols)
    : IOException($"peer supports none of: {string.Join(", ", protocols)}")
{
    public IReadOnlyList<string> Protocols { get; } = protocols;
}
