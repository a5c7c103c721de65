using Google.Protobuf;
using SwarmFL.P2P.Framing;
using SwarmFL.P2P.Messages.Model;
using SwarmFL.P2P.Protocols.RequestResponse;
using SwarmFL.P2P.Tests.Support;

namespace SwarmFL.P2P.Tests.Protocols;

public class RequestResponseTests
{
    private const string Echo = "/test/rr-echo/1.0.0";

    [Fact]
    public async Task Request_gets_its_response_and_oversized_requests_are_refused()
    {
        await using var server = TestHosts.Listening();
        RequestResponse.Handle(server, Echo, BlobRequest.Parser,
            (request, stream, ct) => Task.FromResult<IMessage>(new BlobResponseHeader { Size = (ulong)request.Cid.Length, Error = stream.RemotePeer.ToString() }),
            maxRequestSize: 1000);
        await using var client = TestHosts.Create();
        var ct = TestHosts.Timeout();
        await client.DialAsync(server.ListenAddresses[0], ct);

        var response = await RequestResponse.SendAsync(client, server.LocalPeerId, Echo, new BlobRequest { Cid = ByteString.CopyFrom(new byte[77]) }, BlobResponseHeader.Parser, ct);
        Assert.Equal(77ul, response.Size);
        Assert.Equal(client.LocalPeerId.ToString(), response.Error);
        Assert.Equal(1, server.Traffic.For(Echo).MessagesIn);
        Assert.Equal(1, client.Traffic.For(Echo).MessagesIn);

        // The server resets the stream instead of reading 5000 bytes: the client sees the stream end without an answer.
        await Assert.ThrowsAnyAsync<IOException>(() => RequestResponse.SendAsync(client, server.LocalPeerId, Echo,
            new BlobRequest { Cid = ByteString.CopyFrom(new byte[5000]) }, BlobResponseHeader.Parser, ct));
        // And the connection is still usable.
        Assert.Equal(3ul, (await RequestResponse.SendAsync(client, server.LocalPeerId, Echo, new BlobRequest { Cid = ByteString.CopyFrom(new byte[3]) }, BlobResponseHeader.Parser, ct)).Size);
    }
}
