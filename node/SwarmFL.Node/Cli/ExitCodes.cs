namespace SwarmFL.Node.Cli;

/// <summary>What a `swarmfl` exit status means, so scripts can tell a bad argument from a dead chain node.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The command ran and found a problem (a failed audit, a ping that got no answer).</summary>
    public const int CheckFailed = 1;
    /// <summary>Unknown command or option, or a missing required option.</summary>
    public const int Usage = 2;
    /// <summary>An input was wrong: a missing or malformed file, key, address or value.</summary>
    public const int BadInput = 3;
    /// <summary>Something the command needs did not answer: chain RPC, a peer.</summary>
    public const int Unavailable = 4;
    /// <summary>Stopped by Ctrl-C.</summary>
    public const int Cancelled = 130;
    /// <summary>A bug: the logs hold the stack trace.</summary>
    public const int Internal = 70;
}

/// <summary>An error the user can act on: the message says what was wrong and what to do; no stack trace is shown.</summary>
public class UserFacingException(string message, int exitCode = ExitCodes.BadInput, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}
