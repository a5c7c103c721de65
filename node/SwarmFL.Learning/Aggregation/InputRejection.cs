using SwarmFL.Crypto;

namespace SwarmFL.Learning.Aggregation;

/// <summary>
/// Why a merge left an input out. The numbers are the reason codes a leader publishes on chain with the dropped ids
/// (docs/contracts-interface.md), so every checker reproduces the same drops: keep them stable, only append.
/// </summary>
public enum RejectionReason : byte
{
    /// <summary>The bytes are not the model's exact size (truncated, padded, or another model).</summary>
    WrongSize = 1,
    /// <summary>The file does not decode as the swarm's layout: tensor names, shapes, dtypes or offsets differ.</summary>
    WrongLayout = 2,
    /// <summary>Some value is NaN or ±∞.</summary>
    NonFinite = 3,
    /// <summary>‖update − base‖₂ is over the swarm's update norm bound.</summary>
    NormBound = 4,
    /// <summary>The deviation filter: farther from the base than k × the median distance of the inputs.</summary>
    Deviation = 5,
    /// <summary>The leader could not fetch it from any holder before the deadline. Not reproducible by a checker, which
    /// takes the leader's word for it (see docs/contracts-interface.md, "Dropped inputs").</summary>
    Unavailable = 6,
    /// <summary>The sample count is zero or not representable.</summary>
    BadSamples = 7,
}

/// <summary>One input a merge dropped: which (file or content id), and why.</summary>
public sealed record InputRejection(string Input, ContentId? Id, RejectionReason Reason, string Detail)
{
    public static string Describe(RejectionReason reason) => reason switch
    {
        RejectionReason.WrongSize => "wrong size",
        RejectionReason.WrongLayout => "wrong layout",
        RejectionReason.NonFinite => "non-finite value",
        RejectionReason.NormBound => "update norm over the bound",
        RejectionReason.Deviation => "deviates from the base model",
        RejectionReason.Unavailable => "unavailable",
        RejectionReason.BadSamples => "bad sample count",
        _ => $"reason {(byte)reason}",
    };

    public override string ToString() => $"{Input}: {Describe(Reason)}: {Detail}";
}
