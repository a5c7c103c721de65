using SwarmFL.Crypto;

namespace SwarmFL.P2P.PubSub;

/// <summary>A message as the application sees it: validated, signature checked, author known.</summary>
/// <param name="From">The author, who signed it.</param>
/// <param name="ReceivedFrom">The peer that handed it to us (the author or a relay); our own id for local messages.</param>
public sealed record PubSubMessage(
    string Topic,
    ReadOnlyMemory<byte> Data,
    PeerId From,
    ulong SequenceNumber,
    MessageId Id,
    PeerId ReceivedFrom);

/// <summary>The outcome of a local publish: the message id and how many peers it was sent to directly.</summary>
public sealed record PublishResult(MessageId Id, int Peers);
