using System.Collections.Concurrent;
using SwarmFL.Crypto.Multiformats;

namespace SwarmFL.Crypto;

/// <summary>
/// A libp2p PeerId: the multihash of the protobuf-encoded public key, identity-hashed when the encoding is at most
/// 42 bytes (secp256k1 and Ed25519 keys), SHA-256 otherwise. Printed in base58btc, e.g. 16Uiu2HA… for secp256k1.
/// </summary>
public sealed class PeerId : IEquatable<PeerId>
{
    /// <summary>
    /// Every PeerId read off the wire, validated once. The ring and gossip decode the same few ids in every message, and
    /// validating an identity PeerId decodes its key's curve point (a field square root): a 32-node swarm spent 3 % of
    /// its CPU there. Bounded, so ids a peer invents cost it validation each time instead of our memory.
    /// </summary>
    private static readonly ConcurrentDictionary<byte[], PeerId> Validated = new(ByteKeys.Instance);
    // Looked up by the span off the wire, so a hit allocates nothing.
    private static readonly ConcurrentDictionary<byte[], PeerId>.AlternateLookup<ReadOnlySpan<byte>> ValidatedBySpan =
        Validated.GetAlternateLookup<ReadOnlySpan<byte>>();
    private const int MaxValidated = 16_384;
    // ConcurrentDictionary.Count takes every lock; a miss (an id we have not seen, perhaps invented) must not.
    private static int _validatedCount;

    private readonly byte[] _bytes;
    private string? _text;

    private PeerId(byte[] bytes)
    {
        _bytes = bytes;
    }

    /// <summary>The multihash bytes, as they travel on the wire and as the ring hashes them.</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;
    public byte[] ToBytes() => (byte[])_bytes.Clone();

    public static PeerId FromPublicKey(Libp2pPublicKey key)
    {
        var encoded = key.ToProtobuf();
        var hash = encoded.Length <= Multihash.MaxInlineKeyLength
            ? new Multihash(Multihash.Identity, encoded)
            : Multihash.Sha256Of(encoded);
        return new PeerId(hash.ToBytes());
    }

    public static PeerId FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (ValidatedBySpan.TryGetValue(bytes, out var known)) return known;
        var peerId = Validate(bytes);
        if (Volatile.Read(ref _validatedCount) < MaxValidated && Validated.TryAdd(peerId._bytes, peerId)) Interlocked.Increment(ref _validatedCount);
        return peerId;
    }

    private static PeerId Validate(ReadOnlySpan<byte> bytes)
    {
        var hash = Multihash.Parse(bytes);
        if (hash.Code == Multihash.Identity)
        {
            if (hash.Digest.Length > Multihash.MaxInlineKeyLength) throw new FormatException("an identity PeerId inlines at most 42 bytes");
            Libp2pPublicKey.FromProtobuf(hash.Digest);
        }
        else if (hash.Code != Multihash.Sha2_256)
        {
            throw new FormatException($"a PeerId is an identity or sha2-256 multihash, not code 0x{hash.Code:x}");
        }
        return new PeerId(bytes.ToArray());
    }

    public static PeerId Parse(string text)
    {
        if (!TryParse(text, out var peerId, out var error)) throw new FormatException(error);
        return peerId;
    }

    public static bool TryParse(string? text, out PeerId peerId, out string error)
    {
        peerId = null!;
        error = "";
        if (string.IsNullOrWhiteSpace(text) || !Base58.TryDecode(text.Trim(), out var bytes))
        {
            error = $"'{text}' is not a base58btc PeerId";
            return false;
        }
        try
        {
            peerId = FromBytes(bytes);
            return true;
        }
        catch (FormatException e)
        {
            error = $"'{text}' is not a PeerId: {e.Message}";
            return false;
        }
    }

    /// <summary>The public key inlined in an identity PeerId, or null when the PeerId only holds a hash of it.</summary>
    public Libp2pPublicKey? TryGetPublicKey()
    {
        var hash = Multihash.Parse(_bytes);
        return hash.Code == Multihash.Identity ? Libp2pPublicKey.FromProtobuf(hash.Digest) : null;
    }

    /// <summary>The Ethereum address of a secp256k1 PeerId: how the chain and the network agree on identity.</summary>
    public EthereumAddress? TryGetEthereumAddress()
    {
        var key = TryGetPublicKey();
        return key is { Type: Libp2pKeyType.Secp256k1 } ? EthereumAddress.FromPublicKey(key.Data) : null;
    }

    public bool Matches(Libp2pPublicKey key) => Equals(FromPublicKey(key));

    public override string ToString() => _text ??= Base58.Encode(_bytes);
    public bool Equals(PeerId? other) => other is not null && _bytes.AsSpan().SequenceEqual(other._bytes);
    public override bool Equals(object? obj) => Equals(obj as PeerId);
    public override int GetHashCode() => ByteKeys.Hash(_bytes);
    public static bool operator ==(PeerId? a, PeerId? b) => a is null ? b is null : a.Equals(b);
    public static bool operator !=(PeerId? a, PeerId? b) => !(a == b);

    /// <summary>Multihash bytes as dictionary keys, comparable with the span they were read from.</summary>
    private sealed class ByteKeys : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly ByteKeys Instance = new();

        public static int Hash(ReadOnlySpan<byte> bytes)
        {
            var hash = new HashCode();
            hash.AddBytes(bytes);
            return hash.ToHashCode();
        }

        public bool Equals(byte[]? x, byte[]? y) => x is not null && y is not null && x.AsSpan().SequenceEqual(y);
        public int GetHashCode(byte[] bytes) => Hash(bytes);
        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);
        public int GetHashCode(ReadOnlySpan<byte> alternate) => Hash(alternate);
        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
