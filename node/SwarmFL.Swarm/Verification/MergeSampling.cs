using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using SwarmFL.Crypto;

namespace SwarmFL.Swarm.Verification;

/// <summary>
/// Which merges a member recomputes before it adopts them (<c>--verify-merges all|FRACTION</c>). With a fraction, the
/// choice is an HMAC of the merge under a secret only this node knows: a leader cannot predict which members will check
/// its merge, yet the same node (same secret) always makes the same choice, so tests can reproduce it.
/// </summary>
public sealed class MergeSampling
{
    private readonly byte[] _secret;

    private MergeSampling(double fraction, byte[] secret)
    {
        Fraction = fraction;
        _secret = secret;
    }

    /// <summary>The share of merges checked, 0 &lt; fraction ≤ 1.</summary>
    public double Fraction { get; }

    public bool ChecksEverything => Fraction >= 1;

    public static MergeSampling All { get; } = new(1, []);

    /// <param name="secret">Never published: e.g. derived from the node's private key.</param>
    public static MergeSampling Of(double fraction, ReadOnlySpan<byte> secret)
    {
        if (!(fraction > 0 && fraction <= 1))
            throw new ArgumentOutOfRangeException(nameof(fraction), fraction, "the share of merges to check must be in (0, 1]");
        return fraction >= 1 ? All : new MergeSampling(fraction, secret.ToArray());
    }

    /// <summary>Parses <c>all</c> or a fraction such as <c>0.25</c>; returns null and a message for anything else.</summary>
    public static double? ParseFraction(string text, out string? error)
    {
        error = null;
        if (string.Equals(text.Trim(), "all", StringComparison.OrdinalIgnoreCase)) return 1;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) && f > 0 && f <= 1) return f;
        error = $"'{text}' is not 'all' or a fraction in (0, 1] (e.g. 0.25): the share of merges this node recomputes before adopting them";
        return null;
    }

    /// <summary>Whether this node checks the model <paramref name="model"/> published for the cluster in the round.</summary>
    public bool ShouldCheck(ulong round, int cluster, ContentId model)
    {
        if (ChecksEverything) return true;
        Span<byte> message = stackalloc byte[12 + 32];
        BinaryPrimitives.WriteUInt64BigEndian(message, round);
        BinaryPrimitives.WriteInt32BigEndian(message[8..], cluster);
        model.DigestBytes().CopyTo(message[12..]);
        var mac = HMACSHA256.HashData(_secret, message);
        var draw = BinaryPrimitives.ReadUInt64BigEndian(mac) / (double)ulong.MaxValue;
        return draw < Fraction;
    }
}
