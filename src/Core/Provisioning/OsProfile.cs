namespace Portal.Core.Provisioning;

/// <summary>Which installer reads the rendered config (mirrors Portal.Netboot's InstallerKind, which Core cannot see).</summary>
public enum OsInstallerKind { Kickstart, Autoinstall, Generic }

/// <summary>
/// What to install: the installer kernel and initrds (absolute http(s) URLs or /boot-files/...
/// paths served by the portal), extra kernel arguments, the template that renders its config and
/// the default parameters (which also declare the <c>deployment.params.*</c> a template may use).
/// Built-in profiles are seeded at start-up and can be edited like any other.
/// </summary>
public sealed class OsProfile
{
    public const int MaxNameLength = 200;

    public long Id { get; private set; }
    public string Name { get; private set; } = "";
    public OsInstallerKind InstallerKind { get; private set; }
    public string KernelUrl { get; private set; } = "";
    public List<string> InitrdUrls { get; private set; } = [];
    public string KernelArgs { get; private set; } = "";
    public string TemplateName { get; private set; } = "";
    public Dictionary<string, string> DefaultParameters { get; private set; } = [];
    public bool BuiltIn { get; private set; }
    /// <summary>
    /// After the installer reports done and the boot override is cleared, power the machine on (or
    /// restart it) so it boots the new OS — for installers that power off at the end, like the lab's.
    /// </summary>
    public bool RestartAfterInstall { get; private set; }
    /// <summary>
    /// The run's token works only from the address that fetched the installer script (default).
    /// Off for installers that change address mid-install (a new DHCP lease, a second NIC).
    /// </summary>
    public bool TokenBoundToAddress { get; private set; } = true;
    /// <summary>
    /// When the firmware boots in another mode than the BMC reports (BIOS where the BMC says UEFI),
    /// fail the run instead of installing with a warning: an OS installed in the wrong mode may not
    /// boot from its disk afterwards.
    /// </summary>
    public bool FailOnPlatformMismatch { get; private set; }
    /// <summary>
    /// When the run clears the one-time boot override of a UEFI machine, it also sets a persistent
    /// disk-first <c>Boot.BootOrder</c> over Redfish, so a later reboot starts the installed OS
    /// without walking the firmware's network boot entries first (minutes on UEFI). On by default.
    /// </summary>
    public bool SetsDiskFirstBootOrder { get; private set; } = true;
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    private OsProfile() { }

    public static OsProfile Create(string name, OsInstallerKind kind, string kernelUrl, IEnumerable<string> initrdUrls, string kernelArgs,
        string templateName, IReadOnlyDictionary<string, string> defaultParameters, bool builtIn, DateTimeOffset now)
    {
        var profile = new OsProfile { BuiltIn = builtIn, CreatedAt = now };
        profile.Update(name, kind, kernelUrl, initrdUrls, kernelArgs, templateName, defaultParameters, now);
        return profile;
    }

    public void Update(string name, OsInstallerKind kind, string kernelUrl, IEnumerable<string> initrdUrls, string kernelArgs,
        string templateName, IReadOnlyDictionary<string, string> defaultParameters, DateTimeOffset now)
    {
        var initrds = initrdUrls.Select(u => u.Trim()).Where(u => u.Length > 0).ToList();
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > MaxNameLength)
            throw new ArgumentException($"A profile needs a name of 1-{MaxNameLength} characters.", nameof(name));
        if (string.IsNullOrWhiteSpace(kernelUrl)) throw new ArgumentException("A profile needs a kernel URL.", nameof(kernelUrl));
        if (initrds.Count == 0) throw new ArgumentException("A profile needs at least one initrd URL.", nameof(initrdUrls));
        if (string.IsNullOrWhiteSpace(templateName)) throw new ArgumentException("A profile needs a template.", nameof(templateName));
        Name = name.Trim();
        InstallerKind = kind;
        KernelUrl = kernelUrl.Trim();
        InitrdUrls = initrds;
        KernelArgs = kernelArgs.Trim();
        TemplateName = templateName.Trim();
        DefaultParameters = new Dictionary<string, string>(defaultParameters, StringComparer.Ordinal);
        UpdatedAt = now;
    }

    public void SetTokenBoundToAddress(bool bound, DateTimeOffset now)
    {
        TokenBoundToAddress = bound;
        UpdatedAt = now;
    }

    public void SetFailOnPlatformMismatch(bool fail, DateTimeOffset now)
    {
        FailOnPlatformMismatch = fail;
        UpdatedAt = now;
    }

    public void SetDiskFirstBootOrder(bool set, DateTimeOffset now)
    {
        SetsDiskFirstBootOrder = set;
        UpdatedAt = now;
    }

    public void SetRestartAfterInstall(bool restart, DateTimeOffset now)
    {
        RestartAfterInstall = restart;
        UpdatedAt = now;
    }
}
