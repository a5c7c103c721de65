using SwarmFL.Crypto;
using SwarmFL.P2P.Hosting;
using SwarmFL.P2P.Multiaddrs;

namespace SwarmFL.P2P.Tests.Hosting;

public sealed class PeerStoreTests
{
    [Fact]
    public void A_peer_nothing_on_the_network_told_us_about_is_found_at_its_registered_address_and_what_the_network_says_wins()
    {
        var met = NodeKey.Generate().PeerId;
        var unmet = NodeKey.Generate().PeerId;
        var unregistered = NodeKey.Generate().PeerId;
        var registered = new Dictionary<PeerId, Multiaddr>
        {
            [met] = Multiaddr.Parse("/ip4/127.0.0.1/tcp/4001"),
            [unmet] = Multiaddr.Parse($"/ip4/127.0.0.1/tcp/4002/p2p/{unmet}"),
        };
        var store = new PeerStore { Registered = peer => registered.GetValueOrDefault(peer) };
        store.AddAddresses(met, [Multiaddr.Parse("/ip4/127.0.0.1/tcp/5001")]);

        Assert.Equal(["/ip4/127.0.0.1/tcp/5001"], store.GetAddresses(met).Select(a => a.ToString()));
        Assert.Equal(["/ip4/127.0.0.1/tcp/4002"], store.GetAddresses(unmet).Select(a => a.ToString())); // without its /p2p/ part
        Assert.Empty(store.GetAddresses(unregistered));
        Assert.Empty(new PeerStore().GetAddresses(unmet)); // no registry, no guess
    }
}
