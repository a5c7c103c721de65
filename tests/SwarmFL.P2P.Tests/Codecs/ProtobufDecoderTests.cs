using Google.Protobuf;
using SwarmFL.Crypto;
using SwarmFL.P2P.Framing;
using SwarmFL.P2P.Messages.Model;
using SwarmFL.P2P.Protocols.Identify;
using SwarmFL.P2P.Protocols.RequestResponse;

namespace SwarmFL.P2P.Tests.Codecs;

/// <summary>Every protobuf decoder facing the network turns hostile bytes into a ProtocolViolationException, nothing else.</summary>
public class ProtobufDecoderTests
{
    private static readonly PeerId Remote = NodeKey.FromHex("0x" + new string('2', 64)).PeerId;

    [FsCheck.Xunit.Property(MaxTest = 1000)]
    public bool Identify_decoder_accepts_or_rejects_cleanly(byte[] bytes)
    {
        try
        {
            var info = IdentifyProtocol.Decode(bytes, Remote);
            return info.Peer == Remote;
        }
        catch (ProtocolViolationException)
        {
            return true;
        }
    }

    [FsCheck.Xunit.Property(MaxTest = 1000)]
    public bool Model_messages_decode_or_reject_cleanly(byte[] bytes)
    {
        try
        {
            RequestResponse.Parse(BlobRequest.Parser, bytes, "/test");
            RequestResponse.Parse(BlobResponseHeader.Parser, bytes, "/test");
            return true;
        }
        catch (ProtocolViolationException)
        {
            return true;
        }
    }

    [Fact]
    public void Identify_with_a_foreign_public_key_is_refused()
    {
        var message = new Messages.Identify.Identify { PublicKey = ByteString.CopyFrom(NodeKey.Generate().PublicKey.ToProtobuf()), AgentVersion = "liar" };
        Assert.Contains("does not match", Assert.Throws<ProtocolViolationException>(() => IdentifyProtocol.Decode(message.ToByteArray(), Remote)).Message);
    }

    [Fact]
    public void Identify_skips_addresses_it_cannot_parse()
    {
        var message = new Messages.Identify.Identify { AgentVersion = "x" };
        message.ListenAddrs.Add(ByteString.CopyFrom(0x91, 0x02, 0x01)); // a udp address: not ours to dial
        message.ListenAddrs.Add(ByteString.CopyFrom(Multiaddrs.Multiaddr.Parse("/ip4/1.2.3.4/tcp/5").ToBytes()));
        var info = IdentifyProtocol.Decode(message.ToByteArray(), Remote);
        Assert.Equal("/ip4/1.2.3.4/tcp/5", Assert.Single(info.ListenAddresses).ToString());
    }
}
