using System.Security.Cryptography;
using SwarmFL.Crypto;
using SwarmFL.P2P.Protocols.Model;
using SwarmFL.P2P.Tests.Support;

namespace SwarmFL.P2P.Tests.Protocols;

public class ModelProtocolTests
{
    [Fact]
    public async Task Fetches_a_blob_by_content_id_and_verifies_it()
    {
        var blobs = new MemoryBlobSource();
        var content = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        var id = blobs.Add(content);
        await using var server = TestHosts.Listening();
        server.Resources.Membership = SwarmFL.P2P.Membership.PeerMemberships.Everybody; // the model protocol is members only
        ModelProtocol.Serve(server, blobs);
        await using var client = TestHosts.Create();
        var ct = TestHosts.Timeout();
        await client.DialAsync(server.ListenAddresses[0], ct);

        var fetched = await ModelProtocol.FetchAsync(client, server.LocalPeerId, id, maxSize: 16 << 20, ct);
        Assert.Equal(content, fetched);
        Assert.True(server.Traffic.For(ModelProtocol.ProtocolId).BytesOut >= content.Length);
    }

    [Fact]
    public async Task Missing_blob_is_a_clear_not_found()
    {
        await using var server = TestHosts.Listening();
        server.Resources.Membership = SwarmFL.P2P.Membership.PeerMemberships.Everybody; // the model protocol is members only
        ModelProtocol.Serve(server, new MemoryBlobSource());
        await using var client = TestHosts.Create();
        var ct = TestHosts.Timeout();
        await client.DialAsync(server.ListenAddresses[0], ct);
        var missing = ContentId.Of("nobody has this"u8);

        var error = await Assert.ThrowsAsync<BlobNotFoundException>(() => ModelProtocol.FetchAsync(client, server.LocalPeerId, missing, 1 << 20, ct));
        Assert.Contains("not found", error.Message);
        Assert.Contains(missing.ToString(), error.Message);
    }

    [Fact]
    public async Task Data_that_does_not_match_the_content_id_is_rejected_and_no_file_is_left()
    {
        var blobs = new MemoryBlobSource();
        var claimed = ContentId.Of("the real model"u8);
        blobs.AddUnchecked(claimed, RandomNumberGenerator.GetBytes(100_000));
        await using var server = TestHosts.Listening();
        server.Resources.Membership = SwarmFL.P2P.Membership.PeerMemberships.Everybody; // the model protocol is members only
        ModelProtocol.Serve(server, blobs);
        await using var client = TestHosts.Create();
        var ct = TestHosts.Timeout();
        await client.DialAsync(server.ListenAddresses[0], ct);

        await Assert.ThrowsAsync<ContentMismatchException>(() => ModelProtocol.FetchAsync(client, server.LocalPeerId, claimed, 1 << 20, ct));

        var directory = Directory.CreateTempSubdirectory("swarmfl-model-test");
        try
        {
            var path = Path.Combine(directory.FullName, claimed.ToString());
            await Assert.ThrowsAsync<ContentMismatchException>(() => ModelProtocol.FetchToFileAsync(client, server.LocalPeerId, claimed, path, 1 << 20, ct));
            Assert.Empty(directory.GetFiles());
            // The connection survives a refused blob: a good one still arrives.
            var good = blobs.Add(RandomNumberGenerator.GetBytes(5000));
            await ModelProtocol.FetchToFileAsync(client, server.LocalPeerId, good, path, 1 << 20, ct);
            Assert.True(ContentId.Of(File.ReadAllBytes(path)) == good);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Blob_larger_than_the_limit_is_refused()
    {
        var blobs = new MemoryBlobSource();
        var id = blobs.Add(RandomNumberGenerator.GetBytes(2_000_000));
        await using var server = TestHosts.Listening();
        server.Resources.Membership = SwarmFL.P2P.Membership.PeerMemberships.Everybody; // the model protocol is members only
        ModelProtocol.Serve(server, blobs);
        await using var client = TestHosts.Create();
        var ct = TestHosts.Timeout();
        await client.DialAsync(server.ListenAddresses[0], ct);

        var error = await Assert.ThrowsAsync<BlobTransferException>(() => ModelProtocol.FetchAsync(client, server.LocalPeerId, id, maxSize: 1_000_000, ct));
        Assert.Contains("limit", error.Message);
    }
}
