namespace Portal.Netboot;

/// <summary>Configuration section "Netboot".</summary>
public sealed class NetbootOptions
{
    public const string Section = "Netboot";

    /// <summary>
    /// The Portal as machines being installed reach it, e.g. http://10.0.0.5:5080; it goes into every
    /// stored script and config. Required to provision (a run refuses to start without it): the
    /// request's Host header is never used as a URL, since anyone can forge it.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>
    /// Further URLs machines may use (a second network, QEMU's http://10.0.2.2:PORT); a request whose
    /// Host names one of them gets scripts with that one, any other request the public URL.
    /// </summary>
    public List<string> AlsoReachableAt { get; set; } = [];

    /// <summary>A local folder served under /boot-files/ (kernels, initrds) with range requests; unset serves nothing.</summary>
    public string? BootFilesDirectory { get; set; }

    /// <summary>
    /// Unlinked sightings kept (rows of unknown firmware); beyond it the least recently seen are deleted
    /// as new ones are written. Sightings linked to a machine are never deleted and do not count.
    /// </summary>
    public int MaxSightings { get; set; } = 10_000;

    /// <summary>Requests per source address on the netboot endpoints.</summary>
    public NetbootRateLimitOptions RateLimit { get; set; } = new();
}

/// <summary>
/// Configuration section "Netboot:RateLimit": a fixed window per remote address. The default lets one
/// address make 500 requests a second, plenty for the few requests one machine makes per boot (bootstrap,
/// script, kernel, initrd, config, a handful of events) even when a whole rack boots behind one NAT; a
/// flood from one address is refused with 429 instead of filling the sightings or the database's time.
/// </summary>
public sealed class NetbootRateLimitOptions
{
    /// <summary>Requests allowed per address in each window; 0 turns the limit off.</summary>
    public int PermitLimit { get; set; } = 500;

    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(1);
}
