using FsCheck.Xunit;
using SwarmFL.Chain.Transactions;

namespace SwarmFL.Chain.Tests.Transactions;

public sealed class GasLimitTests
{
    [Theory]
    [InlineData(100_000UL, 125, 125_000UL)]
    [InlineData(14_000_000UL, 125, 16_777_216UL)] // 17.5 M with the margin: capped, the estimate itself fits
    [InlineData(16_777_216UL, 250, 16_777_216UL)]
    [InlineData(20_000_000UL, 125, 25_000_000UL)] // does not fit anyway: the chain's answer is clearer than ours
    public void The_margin_never_pushes_a_fitting_estimate_over_the_Osaka_cap(ulong estimate, int margin, ulong expected) =>
        Assert.Equal(expected, GasLimit.WithMargin(estimate, margin));

    [Property]
    public bool The_limit_covers_the_estimate_and_stays_under_the_cap_when_the_estimate_does(uint estimate, byte extra)
    {
        var margin = 100 + extra;
        var limit = GasLimit.WithMargin(estimate, margin);
        return limit >= estimate && (estimate > GasLimit.TransactionCap || limit <= GasLimit.TransactionCap);
    }
}
