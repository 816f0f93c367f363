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
}
