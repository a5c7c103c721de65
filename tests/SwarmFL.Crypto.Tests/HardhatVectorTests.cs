using SwarmFL.Crypto;

namespace SwarmFL.Crypto.Tests;

public class HardhatVectorTests
{
    private const string Account0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    [Fact]
    public void Hardhat_account_0_key_gives_its_well_known_address()
    {
        var key = NodeKey.FromHex(Account0);
        Assert.Equal("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", key.Address.ToString());
    }

    [Fact]
    public void PeerId_of_a_secp256k1_key_is_an_identity_multihash_in_base58btc()
    {
        var key = NodeKey.FromHex(Account0);
        var bytes = key.PeerId.Bytes.ToArray();
        Assert.Equal(39, bytes.Length);
        Assert.Equal(new byte[] { 0x00, 0x25, 0x08, 0x02, 0x12, 0x21 }, bytes[..6]);
        Assert.Equal(key.CompressedPublicKey, bytes[6..]);
        Assert.StartsWith("16Uiu2HA", key.PeerId.ToString());
    }

    [Fact]
    public void The_address_follows_from_the_peer_id_alone()
    {
        var key = NodeKey.FromHex(Account0);
        var parsed = PeerId.Parse(key.PeerId.ToString());
        Assert.Equal(key.Address, parsed.TryGetEthereumAddress());
    }
}
