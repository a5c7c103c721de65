namespace SwarmFL.P2P.PubSub;

/// <summary>The verdict of an application validator, as in gossipsub v1.1's extended validators.</summary>
public enum ValidationResult
{
    /// <summary>Deliver locally and forward.</summary>
    Accept,

    /// <summary>Invalid: drop, and penalize the peer that forwarded it (P4).</summary>
    Reject,

    /// <summary>Not interesting or not yet decidable: drop without penalty and do not forward.</summary>
    Ignore,
}

/// <summary>Decides whether a message that passed signature checks should be delivered and forwarded.</summary>
public delegate ValueTask<ValidationResult> MessageValidator(PubSubMessage message, CancellationToken cancellationToken);
