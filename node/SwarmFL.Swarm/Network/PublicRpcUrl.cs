namespace SwarmFL.Swarm.Network;

/// <summary>
/// The chain endpoint a node tells anyone who asks (swarm info is public): the operator's advertised public URL when
/// set, else its own URL with what may be a credential removed (user info such as <c>user:pass@</c>, the query such as
/// <c>?key=…</c>, and the fragment). Providers also put keys in the path; an operator who uses such a URL advertises a
/// separate public one.
/// </summary>
public static class PublicRpcUrl
{
    public static string For(string rpcUrl, string? advertised) => string.IsNullOrWhiteSpace(advertised) ? Redact(rpcUrl) : Redact(advertised);

    public static string Redact(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) return "";
        // Scheme, host, port and path only: no user info, query or fragment.
        return uri.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
    }
}
