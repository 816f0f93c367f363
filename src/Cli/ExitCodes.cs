namespace Portal.Cli;

/// <summary>
/// What a script can branch on. Each HTTP refusal a caller can act on has its own code; the table is
/// printed by <c>portal --help</c> and the README.
/// </summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The work was done but did not succeed: a deployment ended other than Deployed, a power action failed, a server error.</summary>
    public const int Failed = 1;
    /// <summary>The command line or its input is wrong (also the Portal's 400 and 422).</summary>
    public const int Usage = 2;
    /// <summary>No token, or the Portal refused it (401).</summary>
    public const int Unauthenticated = 3;
    /// <summary>Your roles do not allow it (403).</summary>
    public const int Forbidden = 4;
    /// <summary>No such machine, BMC, deployment… (404).</summary>
    public const int NotFound = 5;
    /// <summary>The state does not allow it: already reserved, run already ended, discovery running (409).</summary>
    public const int Conflict = 6;
    /// <summary>The Portal could not be reached (connection refused, DNS, timeout).</summary>
    public const int Unreachable = 7;

    public const string Help = """
        Exit codes: 0 ok · 1 failed (a run not Deployed, a server error) · 2 bad usage or input (400/422) ·
          3 not logged in or token refused (401) · 4 forbidden (403) · 5 not found (404) · 6 conflict (409) ·
          7 Portal unreachable
        """;

    public static int ForStatus(int status) => status switch
    {
        400 or 413 or 415 or 422 => Usage,
        401 => Unauthenticated,
        403 => Forbidden,
        404 => NotFound,
        409 => Conflict,
        _ => Failed,
    };
}
