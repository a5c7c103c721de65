namespace SwarmFL.Learning.Attacks;

/// <summary>What a Byzantine member of a simulation sends instead of its honest update (see <see cref="ByzantineAttack"/>).</summary>
public enum AttackKind
{
    /// <summary>The honest update reversed and amplified: base − <see cref="ByzantineAttack.SignFlipFactor"/> × Δ.</summary>
    SignFlip,
    /// <summary>The honest update amplified: base + <see cref="ByzantineAttack.ScaleFactor"/> × Δ (a model-replacement attempt).</summary>
    Scaled,
    /// <summary>The honest model with one NaN in its first tensor: validation must drop it, no strategy may see it.</summary>
    NaN,
    /// <summary>The sign-flipped update claiming <see cref="ByzantineAttack.InflatedSampleCount"/> samples (the swarm's
    /// sample cap, if any, bounds what it counts with).</summary>
    InflatedSamples,
}
