namespace Portal.Netboot;

/// <summary>Configuration section "Netboot".</summary>
public sealed class NetbootOptions
{
    public const string Section = "Netboot";

    /// <summary>
    /// The portal as machines being installed reach it (e.g. http://10.0.2.2:5080 for QEMU user
    /// networking). When unset, the scheme and Host of the request are used, which is what the
    /// firmware itself just connected to. Set it when the portal sits behind a proxy.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>A local folder served under /boot-files/ (kernels, initrds) with range requests; unset serves nothing.</summary>
    public string? BootFilesDirectory { get; set; }
}
