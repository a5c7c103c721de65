namespace SwarmFL.P2P.Hosting;

/// <summary>How the host serves one protocol.</summary>
public sealed record StreamHandlerOptions
{
    public static StreamHandlerOptions Public { get; } = new();
    public static StreamHandlerOptions MembersOnlyDefault { get; } = new() { MembersOnly = true };

    /// <summary>
    /// Served only to members (see <see cref="Resources.ResourceManager.Membership"/>); to anyone else the protocol
    /// looks unsupported, so an outsider's request is answered "na" before a byte of it is read.
    /// </summary>
    public bool MembersOnly { get; init; }
    /// <summary>
    /// Streams of this protocol live long and may be silent (gossipsub): no idle or read deadline. Everything else
    /// gets the deadlines of <see cref="Resources.ResourceLimits"/>.
    /// </summary>
    public bool LongLived { get; init; }
}
