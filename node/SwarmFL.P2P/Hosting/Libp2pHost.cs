using System.Collections.Concurrent;
using Serilog;
using SwarmFL.Crypto;
using SwarmFL.P2P.Framing;
using SwarmFL.P2P.Identity;
using SwarmFL.P2P.Multiaddrs;
using SwarmFL.P2P.MultistreamSelect;
using SwarmFL.P2P.Noise;
using SwarmFL.P2P.Protocols.Identify;
using SwarmFL.P2P.Protocols.Ping;
using SwarmFL.P2P.Resources;
using SwarmFL.P2P.Transport;
using SwarmFL.P2P.Yamux;

namespace SwarmFL.P2P.Hosting;

/// <summary>
/// A libp2p host: listens and dials over TCP, upgrades every connection (multistream-select → /noise →
/// multistream-select → /yamux/1.0.0), keeps the connections per PeerId and routes inbound streams to protocol
/// handlers. Identify and ping are always served. Every resource the network can take (handshake slots, connections,
/// inbound streams and their memory) is asked of <see cref="Resources"/>, which also decides who is a member.
/// </summary>
public sealed class Libp2pHost : IAsyncDisposable
{
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<string, (Func<Libp2pStream, CancellationToken, Task> Handler, StreamHandlerOptions Options)> _handlers = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Libp2pStream, byte> _inboundStreams = new();
    private readonly ConcurrentDictionary<PeerId, List<Libp2pConnection>> _connections = new();
    private readonly List<TcpListenerHandle> _listeners = [];
    private readonly List<Multiaddr> _listenAddresses = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Task, byte> _background = new();
    private int _connectionCount;
    private int _pendingInbound;
    private int _disposed;
    private readonly Task _deadlines;

    public Libp2pHost(IIdentity identity, HostOptions? options = null, ILogger? log = null)
    {
        Identity = identity;
        Options = options ?? new HostOptions();
        _log = (log ?? Log.Logger).ForContext<Libp2pHost>().ForContext("Local", identity.PeerId.ToString()[^8..]);
        Resources = new ResourceManager(Options.Limits, log: _log);
        _deadlines = EnforceStreamDeadlinesAsync();
        SetStreamHandler(IdentifyProtocol.ProtocolId, (stream, ct) => IdentifyProtocol.RespondAsync(this, stream, ct));
        SetStreamHandler(PingProtocol.ProtocolId, PingProtocol.RespondAsync);
    }

    public Libp2pHost(NodeKey key, HostOptions? options = null, ILogger? log = null) : this(new NodeKeyIdentity(key), options, log) { }

    public IIdentity Identity { get; }
    public HostOptions Options { get; }
    public PeerId LocalPeerId => Identity.PeerId;
    public PeerStore PeerStore { get; } = new();
    public TrafficCounters Traffic { get; } = new();
    /// <summary>The limits, what is in use, what was refused, and who counts as a member.</summary>
    public ResourceManager Resources { get; }

    /// <summary>Raised (on a pool thread) when the first connection to a peer is up; handlers must not block.</summary>
    public event Action<PeerId>? PeerConnected;
    /// <summary>Raised when the last connection to a peer has closed.</summary>
    public event Action<PeerId>? PeerDisconnected;

    /// <summary>The addresses we listen on, each with our /p2p/ id appended.</summary>
    public IReadOnlyList<Multiaddr> ListenAddresses
    {
        get { lock (_listenAddresses) return _listenAddresses.Select(a => a.WithPeerId(LocalPeerId)).ToArray(); }
    }

    public IReadOnlyCollection<string> Protocols => _handlers.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>The protocols an outsider is served (identify answers outsiders with these).</summary>
    public IReadOnlyCollection<string> PublicProtocols => _handlers.Where(p => !p.Value.Options.MembersOnly).Select(p => p.Key).Order(StringComparer.Ordinal).ToArray();

    public IReadOnlyCollection<PeerId> ConnectedPeers => _connections.Where(p => p.Value.Count > 0).Select(p => p.Key).ToArray();

    /// <summary>Upgraded connections currently open.</summary>
    public int ConnectionCount => Volatile.Read(ref _connectionCount);
    /// <summary>Inbound connections still handshaking.</summary>
    public int PendingInboundCount => Volatile.Read(ref _pendingInbound);

    public bool IsConnected(PeerId peer) => FindConnection(peer) is not null;

    public IReadOnlyList<Libp2pConnection> ConnectionsTo(PeerId peer)
    {
        if (!_connections.TryGetValue(peer, out var list)) return [];
        lock (list) return list.ToArray();
    }

    public void SetStreamHandler(string protocol, Func<Libp2pStream, CancellationToken, Task> handler) =>
        SetStreamHandler(protocol, handler, StreamHandlerOptions.Public);

    public void SetStreamHandler(string protocol, Func<Libp2pStream, CancellationToken, Task> handler, StreamHandlerOptions options)
    {
        if (string.IsNullOrWhiteSpace(protocol) || protocol.Contains('\n')) throw new ArgumentException("invalid protocol id", nameof(protocol));
        _handlers[protocol] = (handler, options);
    }

    public void RemoveStreamHandler(string protocol) => _handlers.TryRemove(protocol, out _);

    // ---- listening -----------------------------------------------------------------------------------------

    /// <summary>Starts listening (port 0 picks a free port) and returns the bound address with /p2p/.</summary>
    public Multiaddr Listen(Multiaddr address)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var listener = TcpTransport.Listen(address);
        lock (_listenAddresses)
        {
            _listeners.Add(listener);
            _listenAddresses.Add(listener.Address);
        }
        Track(AcceptLoopAsync(listener));
        _log.Information("Listening on {Address}", listener.Address.WithPeerId(LocalPeerId));
        return listener.Address.WithPeerId(LocalPeerId);
    }

    private async Task AcceptLoopAsync(TcpListenerHandle listener)
    {
        var ct = _stopping.Token;
        while (!ct.IsCancellationRequested)
        {
            RawConnection raw;
            try
            {
                raw = await listener.AcceptAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException)
            {
                if (!ct.IsCancellationRequested) _log.Warning("Accept failed: {Error}", e.Message);
                if (e is System.Net.Sockets.SocketException && !ct.IsCancellationRequested) { await Task.Delay(50, CancellationToken.None).ConfigureAwait(false); continue; }
                return;
            }
            var slot = raw.Socket.RemoteEndPoint is System.Net.IPEndPoint remote ? Resources.TryAdmitHandshake(remote.Address) : null;
            if (slot is null)
            {
                // Counted and logged (once per interval) by the resource manager; closed before any handshake work.
                await raw.Stream.DisposeAsync().ConfigureAwait(false);
                continue;
            }
            Interlocked.Increment(ref _pendingInbound);
            Track(UpgradeInboundAsync(raw, slot));
        }
    }

    private async Task UpgradeInboundAsync(RawConnection raw, IDisposable slot)
    {
        try
        {
            await UpgradeAsync(raw, isOutbound: false, expectedPeer: null, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Already logged by UpgradeAsync; nothing else to do for a failed inbound upgrade.
            _ = e;
        }
        finally
        {
            slot.Dispose();
            Interlocked.Decrement(ref _pendingInbound);
        }
    }

    // ---- dialing -------------------------------------------------------------------------------------------

    /// <summary>Dials an address (with or without /p2p/); when it names a peer, the handshake must prove that identity.</summary>
    public async Task<PeerId> DialAsync(Multiaddr address, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var expected = address.PeerId;
        if (expected is not null && expected == LocalPeerId) throw new ArgumentException("refusing to dial ourselves");
        if (expected is not null && FindConnection(expected) is { } existing) return existing.RemotePeer;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _stopping.Token);
        var raw = await TcpTransport.DialAsync(address, linked.Token).ConfigureAwait(false);
        var connection = await UpgradeAsync(raw, isOutbound: true, expected, linked.Token).ConfigureAwait(false);
        PeerStore.AddAddresses(connection.RemotePeer, [address]);
        return connection.RemotePeer;
    }

    /// <summary>Connects to a peer unless already connected, trying the peer store's addresses in turn.</summary>
    public async Task<Libp2pConnection> ConnectAsync(PeerId peer, CancellationToken ct)
    {
        if (FindConnection(peer) is { } existing) return existing;
        var addresses = PeerStore.GetAddresses(peer);
        if (addresses.Count == 0) throw new IOException($"no known address for {peer}");
        Exception? last = null;
        foreach (var address in addresses)
        {
            try
            {
                await DialAsync(address.WithPeerId(peer), ct).ConfigureAwait(false);
                if (FindConnection(peer) is { } connection) return connection;
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                last = e;
                _log.Debug("Dial {Peer} at {Address} failed: {Error}", peer, address, e.Message);
            }
        }
        throw new IOException($"could not connect to {peer}: {last?.Message}", last);
    }

    // ---- streams -------------------------------------------------------------------------------------------

    /// <summary>Opens a stream to a peer (dialing it if needed) and negotiates the first of <paramref name="protocols"/> it supports.</summary>
    public async Task<Libp2pStream> OpenStreamAsync(PeerId peer, IReadOnlyList<string> protocols, CancellationToken ct)
    {
        var connection = await ConnectAsync(peer, ct).ConfigureAwait(false);
        return await OpenStreamAsync(connection, protocols, ct).ConfigureAwait(false);
    }

    public async Task<Libp2pStream> OpenStreamAsync(Libp2pConnection connection, IReadOnlyList<string> protocols, CancellationToken ct)
    {
        var yamuxStream = connection.Session.OpenStream();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(Options.StreamNegotiationTimeout);
            var protocol = await Multistream.SelectAsync(yamuxStream, protocols, timeout.Token).ConfigureAwait(false);
            var traffic = Traffic.For(protocol);
            Interlocked.Increment(ref traffic._streamsOut);
            return new Libp2pStream(yamuxStream, protocol, connection, traffic);
        }
        catch
        {
            yamuxStream.Reset();
            throw;
        }
    }

    private async Task AcceptStreamsAsync(Libp2pConnection connection)
    {
        while (await connection.Session.AcceptStreamAsync(_stopping.Token).ConfigureAwait(false) is { } stream)
        {
            // Each stream reserves the receive window it may fill; an outsider gets few streams and little memory.
            var lease = connection.Scope is { } scope ? Resources.TryAdmitInboundStream(scope, connection.Session.Options.ReceiveWindow) : null;
            if (lease is null)
            {
                stream.Reset();
                continue;
            }
            Track(HandleInboundStreamAsync(connection, stream, lease));
        }
    }

    private async Task HandleInboundStreamAsync(Libp2pConnection connection, YamuxStream yamuxStream, IDisposable lease)
    {
        using var reservation = lease;
        string protocol;
        var member = Resources.IsMember(connection.RemotePeer);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(Options.StreamNegotiationTimeout);
            protocol = await Multistream.NegotiateAsync(yamuxStream, id => Serves(id, connection.RemotePeer, member), VisibleProtocols(member), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _log.Debug("Inbound stream from {Peer}: negotiation failed: {Error}", connection.RemotePeer, e.Message);
            if (!_stopping.IsCancellationRequested) Resources.Refuse(RefusedKind.Stream, RefusalReason.NegotiationFailed, connection.RemotePeer.ToString());
            yamuxStream.Reset();
            return;
        }
        if (!_handlers.TryGetValue(protocol, out var entry) || (entry.Options.MembersOnly && !member))
        {
            yamuxStream.Reset();
            return;
        }
        var traffic = Traffic.For(protocol);
        Interlocked.Increment(ref traffic._streamsIn);
        await using var stream = new Libp2pStream(yamuxStream, protocol, connection, traffic);
        if (!entry.Options.LongLived) _inboundStreams[stream] = 0;
        try
        {
            await entry.Handler(stream, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ProtocolViolationException or ObjectDisposedException)
        {
            _log.Debug("Handler {Protocol} for {Peer} ended: {Error}", protocol, connection.RemotePeer, e.Message);
            stream.Reset();
        }
        catch (Exception e)
        {
            _log.Error(e, "Handler {Protocol} for {Peer} failed", protocol, connection.RemotePeer);
            stream.Reset();
        }
        finally
        {
            _inboundStreams.TryRemove(stream, out _);
        }
    }

    /// <summary>Whether we serve <paramref name="protocol"/> to this peer; asking an outsider for a members-only protocol is a refusal.</summary>
    private bool Serves(string protocol, PeerId peer, bool member)
    {
        if (!_handlers.TryGetValue(protocol, out var entry)) return false;
        if (!entry.Options.MembersOnly || member) return true;
        Resources.Refuse(RefusedKind.Stream, RefusalReason.MembersOnlyProtocol, $"{peer} asking for {protocol}");
        return false;
    }

    private Func<IEnumerable<string>> VisibleProtocols(bool member) =>
        () => _handlers.Where(p => member || !p.Value.Options.MembersOnly).Select(p => p.Key).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Resets inbound streams on which nothing moved for the idle timeout, or whose read waited for the read timeout.</summary>
    private async Task EnforceStreamDeadlinesAsync()
    {
        var limits = Options.Limits;
        var tick = TimeSpan.FromTicks(Math.Clamp(Math.Min(limits.StreamIdleTimeout.Ticks, limits.StreamReadTimeout.Ticks) / 4, TimeSpan.TicksPerMillisecond * 100, TimeSpan.TicksPerSecond));
        using var timer = new PeriodicTimer(tick);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                var now = System.Diagnostics.Stopwatch.GetTimestamp();
                foreach (var stream in _inboundStreams.Keys)
                {
                    var (idle, readWaiting) = stream.Quiet(now);
                    RefusalReason? reason = idle >= limits.StreamIdleTimeout ? RefusalReason.StreamIdle
                        : readWaiting >= limits.StreamReadTimeout ? RefusalReason.StreamReadDeadline : null;
                    if (reason is null || !_inboundStreams.TryRemove(stream, out _)) continue;
                    Resources.Refuse(RefusedKind.Stream, reason.Value, $"{stream.RemotePeer} on {stream.Protocol}");
                    stream.Reset();
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    // ---- connection upgrade and bookkeeping ----------------------------------------------------------------

    private async Task<Libp2pConnection> UpgradeAsync(RawConnection raw, bool isOutbound, PeerId? expectedPeer, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Options.HandshakeTimeout);
        // Cancelling a read on a NetworkStream does not always abort it; closing the socket does.
        await using var abort = timeout.Token.Register(() => raw.Stream.Dispose());
        SecureChannel channel;
        try
        {
            if (isOutbound)
            {
                await Multistream.SelectAsync(raw.Stream, [NoiseHandshake.ProtocolId], timeout.Token).ConfigureAwait(false);
                channel = await NoiseHandshake.InitiateAsync(raw.Stream, Identity, expectedPeer, timeout.Token).ConfigureAwait(false);
                await Multistream.SelectAsync(channel.Stream, [YamuxOptions.ProtocolId], timeout.Token).ConfigureAwait(false);
            }
            else
            {
                await Multistream.NegotiateAsync(raw.Stream, [NoiseHandshake.ProtocolId], timeout.Token).ConfigureAwait(false);
                channel = await NoiseHandshake.RespondAsync(raw.Stream, Identity, timeout.Token).ConfigureAwait(false);
                await Multistream.NegotiateAsync(channel.Stream, [YamuxOptions.ProtocolId], timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e)
        {
            // Closing a socket the remote already reset can itself fail (broken pipe); the upgrade failure is what counts.
            try { await raw.Stream.DisposeAsync().ConfigureAwait(false); }
            catch (Exception closing) when (closing is IOException or System.Net.Sockets.SocketException or ObjectDisposedException) { }
            var reason = timeout.IsCancellationRequested && !ct.IsCancellationRequested ? $"handshake timed out after {Options.HandshakeTimeout.TotalSeconds:0.#} s" : e.Message;
            if (isOutbound) _log.Warning("Outbound connection {Remote} failed during upgrade: {Reason}", raw.RemoteAddress, reason);
            else
            {
                // Anyone can make inbound handshakes fail at any rate: count them, log them once per interval.
                _log.Debug("Inbound connection {Remote} failed during upgrade: {Reason}", raw.RemoteAddress, reason);
                Resources.Refuse(RefusedKind.Connection, RefusalReason.HandshakeFailed, raw.RemoteAddress.ToString());
            }
            if (timeout.IsCancellationRequested && !ct.IsCancellationRequested) throw new TimeoutException(reason, e);
            // A remote that refuses us (a full host resets the socket) is an I/O failure like any other.
            if (e is System.Net.Sockets.SocketException) throw new IOException($"connection {raw.RemoteAddress} failed during upgrade: {reason}", e);
            throw;
        }
        if (channel.RemotePeer == LocalPeerId)
        {
            await channel.Stream.DisposeAsync().ConfigureAwait(false);
            throw new IOException("connected to ourselves");
        }

        var scope = Resources.TryAdmitConnection(channel.RemotePeer, isOutbound ? null : (raw.Socket.RemoteEndPoint as System.Net.IPEndPoint)?.Address);
        if (scope is null)
        {
            await channel.Stream.DisposeAsync().ConfigureAwait(false);
            throw new ResourceLimitException(RefusalReason.ConnectionsPerPeer, $"connection limit reached for {channel.RemotePeer} (see the resource limits)");
        }
        var session = new YamuxSession(channel.Stream, isClient: isOutbound, Options.Yamux, _log);
        var remotePeer = channel.RemotePeer.ToString();
        session.InboundStreamRefused += () => Resources.Refuse(RefusedKind.Stream, RefusalReason.StreamsPerConnection, remotePeer);
        var connection = new Libp2pConnection(channel.RemotePeer, channel.RemoteKey, raw.LocalAddress, raw.RemoteAddress, isOutbound, session) { Scope = scope };
        if (!Register(connection))
        {
            scope.Dispose();
            await session.DisposeAsync().ConfigureAwait(false);
            throw new ResourceLimitException(RefusalReason.ConnectionsTotal, "the host is shutting down");
        }
        _log.Information("Connected {Direction} {Peer} at {Remote}", isOutbound ? "to" : "from", connection.RemotePeer, connection.RemoteAddress);
        Track(AcceptStreamsAsync(connection));
        Track(WatchAsync(connection));
        if (Options.IdentifyOnConnect) Track(IdentifyInBackgroundAsync(connection));
        return connection;
    }

    private bool Register(Libp2pConnection connection)
    {
        if (_disposed != 0) return false;
        Interlocked.Increment(ref _connectionCount);
        var list = _connections.GetOrAdd(connection.RemotePeer, _ => []);
        bool first;
        lock (list)
        {
            list.Add(connection);
            first = list.Count == 1;
        }
        if (first) Raise(PeerConnected, connection.RemotePeer);
        return true;
    }

    private async Task WatchAsync(Libp2pConnection connection)
    {
        await connection.Closed.ConfigureAwait(false);
        connection.Scope?.Dispose();
        Interlocked.Decrement(ref _connectionCount);
        if (connection.Session.LimitBreach is { } breach)
            Resources.Refuse(RefusedKind.Connection, breach == YamuxLimitBreach.OutboundQueue ? RefusalReason.YamuxOutboundQueue : RefusalReason.YamuxControlFlood, connection.RemoteAddress.ToString());
        var last = false;
        if (_connections.TryGetValue(connection.RemotePeer, out var list))
        {
            lock (list)
            {
                list.Remove(connection);
                last = list.Count == 0;
            }
        }
        _log.Information("Disconnected from {Peer} ({Reason})", connection.RemotePeer,
            connection.Session.LocalGoAway is { } local ? $"we sent go-away {local}" : connection.Session.RemoteGoAway is { } remote ? $"remote sent go-away {remote}" : "connection closed");
        if (last) Raise(PeerDisconnected, connection.RemotePeer);
    }

    private async Task IdentifyInBackgroundAsync(Libp2pConnection connection)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(30));
            await IdentifyProtocol.RequestAsync(this, connection, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _log.Debug("Identify of {Peer} failed: {Error}", connection.RemotePeer, e.Message);
        }
    }

    private void Raise(Action<PeerId>? handlers, PeerId peer)
    {
        if (handlers is null) return;
        foreach (var handler in handlers.GetInvocationList().Cast<Action<PeerId>>())
        {
            try { handler(peer); }
            catch (Exception e) { _log.Error(e, "Peer event handler failed"); }
        }
    }

    public Libp2pConnection? FindConnection(PeerId peer)
    {
        if (!_connections.TryGetValue(peer, out var list)) return null;
        lock (list) return list.FirstOrDefault(c => !c.IsClosed);
    }

    /// <summary>Closes every connection to the peer (go-away, then the socket).</summary>
    public async Task DisconnectAsync(PeerId peer)
    {
        foreach (var connection in ConnectionsTo(peer)) await connection.Session.DisposeAsync().ConfigureAwait(false);
    }

    private void Track(Task task)
    {
        _background[task] = 0;
        _ = task.ContinueWith(t =>
        {
            _background.TryRemove(t, out _);
            if (t.Exception is { } e) _log.Debug(e.GetBaseException(), "Background task failed");
        }, TaskScheduler.Default);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _stopping.Cancel();
        lock (_listenAddresses)
        {
            foreach (var listener in _listeners) listener.Dispose();
        }
        foreach (var list in _connections.Values)
        {
            Libp2pConnection[] connections;
            lock (list) connections = list.ToArray();
            foreach (var connection in connections) await connection.Session.DisposeAsync().ConfigureAwait(false);
        }
        await Task.WhenAny(Task.WhenAll(_background.Keys.Append(_deadlines)), Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
        _stopping.Dispose();
    }
}
