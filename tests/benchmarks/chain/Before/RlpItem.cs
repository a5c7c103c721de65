// The hand-written code SwarmFL.Chain used before Nethereum (commit 0195c84), kept verbatim as the "before" of this benchmark only.
using System.Numerics;

namespace ChainBench.Before;

/// <summary>A decoded RLP item: a byte string or a list of items.</summary>
public abstract record RlpItem
{
    public sealed record String(ReadOnlyMemory<byte> Bytes) : RlpItem
    {
        public bool Equals(String? other) => other is not null && Bytes.Span.SequenceEqual(other.Bytes.Span);
        public override int GetHashCode() => Bytes.Length;
        public override string ToString() => SwarmFL.Crypto.Hex.Encode(Bytes.Span);
    }

    public sealed record List(IReadOnlyList<RlpItem> Items) : RlpItem
    {
        public bool Equals(List? other) => other is not null && Items.SequenceEqual(other.Items);
        public override int GetHashCode() => Items.Count;
        public override string ToString() => "[" + string.Join(", ", Items) + "]";
    }

    public String AsString() => this as String ?? throw new FormatException("RLP: expected a byte string, found a list");
    public List AsList() => this as List ?? throw new FormatException("RLP: expected a list, found a byte string");

    /// <summary>An unsigned integer in canonical form: no leading zero bytes (zero is the empty string).</summary>
    public BigInteger AsUInt(int maxBytes = 32)
    {
        var bytes = AsString().Bytes.Span;
        if (bytes.Length > maxBytes) throw new FormatException($"RLP: integer of {bytes.Length} bytes exceeds {maxBytes} bytes");
        if (bytes.Length > 0 && bytes[0] == 0) throw new FormatException("RLP: integer has a leading zero byte");
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
    }

    public ulong AsUInt64() => (ulong)AsUInt(8);
}
