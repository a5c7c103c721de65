using SwarmFL.Node.Web;

namespace SwarmFL.Node.Cli;

/// <summary>The value of an option that names where a web server listens (--dashboard, --metrics, --listen).</summary>
public static class WebEndpointOption
{
    public static WebEndpoint Parse(string option, string text)
    {
        try { return WebEndpoint.Parse(text); }
        catch (FormatException e) { throw new UserFacingException($"{option} {e.Message}", ExitCodes.Usage, e); }
    }
}
