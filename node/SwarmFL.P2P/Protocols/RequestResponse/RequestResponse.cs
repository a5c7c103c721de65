using Google.Protobuf;
using SwarmFL.Crypto;
using SwarmFL.P2P.Framing;
using SwarmFL.P2P.Hosting;

namespace SwarmFL.P2P.Protocols.RequestResponse;

/// <summary>
/// Request/response over a fresh stream: the requester writes one varint-length-prefixed protobuf message and
/// half-closes; the responder answers with one length-prefixed message and closes. Both sides enforce a size limit.
/// </summary>
public static class RequestResponse
{
    public const int DefaultMaxMessageSize = 1024 * 1024;

    public static async Task<TResponse> SendAsync<TResponse>(Libp2pHost host, PeerId peer, string protocol, IMessage request,
        MessageParser<TResponse> responseParser, CancellationToken ct, int maxResponseSize = DefaultMaxMessageSize)
        where TResponse : IMessage<TResponse>
    {
        await using var stream = await host.OpenStreamAsync(peer, [protocol], ct).ConfigureAwait(false);
        await LengthPrefixed.WriteAsync(stream, request.ToByteArray(), ct).ConfigureAwait(false);
        await stream.CloseWriteAsync().ConfigureAwait(false);
        var bytes = await LengthPrefixed.ReadAsync(stream, maxResponseSize, ct).ConfigureAwait(false)
            ?? throw new ProtocolViolationException($"{peer} closed {protocol} without answering");
        return Parse(responseParser, bytes, protocol);
    }

    /// <summary>Serves <paramref name="protocol"/>: each inbound stream carries one request and gets one response.</summary>
    public static void Handle<TRequest>(Libp2pHost host, string protocol, MessageParser<TRequest> requestParser,
        Func<TRequest, Libp2pStream, CancellationToken, Task<IMessage>> handler, int maxRequestSize = DefaultMaxMessageSize,
        StreamHandlerOptions? options = null)
        where TRequest : IMessage<TRequest>
    {
        host.SetStreamHandler(protocol, async (stream, ct) =>
        {
            var bytes = await LengthPrefixed.ReadAsync(stream, maxRequestSize, ct).ConfigureAwait(false)
                ?? throw new ProtocolViolationException($"{stream.RemotePeer} opened {protocol} without a request");
            var response = await handler(Parse(requestParser, bytes, protocol), stream, ct).ConfigureAwait(false);
            await LengthPrefixed.WriteAsync(stream, response.ToByteArray(), ct).ConfigureAwait(false);
            await stream.CloseWriteAsync().ConfigureAwait(false);
        }, options ?? StreamHandlerOptions.Public);
    }

    public static T Parse<T>(MessageParser<T> parser, byte[] bytes, string protocol) where T : IMessage<T>
    {
        try
        {
            return parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new ProtocolViolationException($"malformed {protocol} message: {e.Message}", e);
        }
    }
}
