using System.Numerics;
using FsCheck;
using FsCheck.Fluent;
using SwarmFL.Ring.Identifiers;
using static SwarmFL.Ring.Tests.Identifiers.RingIdTests;

namespace SwarmFL.Ring.Tests.Identifiers;

/// <summary>
/// Interval membership checked against an independent big-integer model: walk clockwise from `from`; equal endpoints
/// mean the whole ring, except that the open interval (a, a) leaves a out.
/// </summary>
public class RingIntervalTests
{
    private static readonly BigInteger Half = BigInteger.One << 255;
    private static readonly BigInteger Low = BigInteger.One << 128;

    /// <summary>Ids where wrap-around and carries bite: both ends of the ring, around 2^128 and 2^255.</summary>
    private static readonly RingId[] Interesting = new[]
    {
        BigInteger.Zero, 1, 2, 3, Low - 1, Low, Low + 1, Half - 1, Half, Half + 1, Modulus - 2, Modulus - 1,
    }.Select(FromBig).ToArray();

    private static bool Model(RingId x, RingId from, RingId to, bool lowerClosed, bool upperClosed)
    {
        var span = ToBig(to - from);
        var offset = ToBig(x - from);
        if (span == 0) return lowerClosed || upperClosed || offset != 0; // whole ring; open (a,a) excludes a
        var afterLower = lowerClosed ? offset >= 0 : offset > 0;
        var beforeUpper = upperClosed ? offset <= span : offset < span;
        return afterLower && beforeUpper;
    }

    [Fact]
    public void Every_triple_of_edge_ids_agrees_with_the_model()
    {
        var checkedCount = 0;
        foreach (var x in Interesting)
        foreach (var from in Interesting)
        foreach (var to in Interesting)
        {
            Assert.Equal(Model(x, from, to, false, false), RingInterval.Open(x, from, to));
            Assert.Equal(Model(x, from, to, false, true), RingInterval.OpenClosed(x, from, to));
            Assert.Equal(Model(x, from, to, true, false), RingInterval.ClosedOpen(x, from, to));
            Assert.Equal(Model(x, from, to, true, true), RingInterval.Closed(x, from, to));
            checkedCount++;
        }
        Assert.Equal(Interesting.Length * Interesting.Length * Interesting.Length, checkedCount);
    }

    [Fact]
    public void Named_edge_cases()
    {
        var zero = RingId.Zero;
        var max = RingId.MaxValue;
        var five = FromBig(5);
        // wrap-around: (max-1, 1] holds max and 0 and 1, not 2
        Assert.True(RingInterval.OpenClosed(max, FromBig(Modulus - 2), FromBig(1)));
        Assert.True(RingInterval.OpenClosed(zero, FromBig(Modulus - 2), FromBig(1)));
        Assert.True(RingInterval.OpenClosed(FromBig(1), FromBig(Modulus - 2), FromBig(1)));
        Assert.False(RingInterval.OpenClosed(FromBig(2), FromBig(Modulus - 2), FromBig(1)));
        // equal endpoints: a lone node owns every key, including its own id
        Assert.True(RingInterval.OpenClosed(five, five, five));
        Assert.True(RingInterval.OpenClosed(zero, five, five));
        Assert.True(RingInterval.ClosedOpen(five, five, five));
        Assert.True(RingInterval.Closed(max, five, five));
        Assert.False(RingInterval.Open(five, five, five));
        Assert.True(RingInterval.Open(FromBig(6), five, five));
        // adjacent ids: (a, a+1) is empty, (a, a+1] is {a+1}
        Assert.False(RingInterval.Open(five, five, FromBig(6)));
        Assert.False(RingInterval.Open(FromBig(6), five, FromBig(6)));
        Assert.True(RingInterval.OpenClosed(FromBig(6), five, FromBig(6)));
        Assert.False(RingInterval.OpenClosed(five, five, FromBig(6)));
        Assert.True(RingInterval.ClosedOpen(five, five, FromBig(6)));
        Assert.False(RingInterval.ClosedOpen(FromBig(6), five, FromBig(6)));
    }

    [Fact]
    public void Random_ids_agree_with_the_model() =>
        Prop.ForAll(Generators.Bytes(96), bytes =>
        {
            var x = RingId.FromBigEndian(bytes.AsSpan(0, 32));
            var from = RingId.FromBigEndian(bytes.AsSpan(32, 32));
            var to = RingId.FromBigEndian(bytes.AsSpan(64, 32));
            return RingInterval.Open(x, from, to) == Model(x, from, to, false, false)
                && RingInterval.OpenClosed(x, from, to) == Model(x, from, to, false, true)
                && RingInterval.ClosedOpen(x, from, to) == Model(x, from, to, true, false)
                && RingInterval.Closed(x, from, to) == Model(x, from, to, true, true)
                // x is in (from, to] or in (to, from], never both, unless from == to
                && (from == to || RingInterval.OpenClosed(x, from, to) != RingInterval.OpenClosed(x, to, from));
        }).QuickCheckThrowOnFailure();
}
