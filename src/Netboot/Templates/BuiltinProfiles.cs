using Portal.Netboot.Inputs;

namespace Portal.Netboot.Templates;

/// <summary>
/// Starter OS profiles, for seeding the database on a fresh install. Their default parameters
/// are exactly the <c>deployment.params.*</c> their templates use (rendering is strict).
/// </summary>
public static class BuiltinProfiles
{
    public static NetbootProfile Rocky9 { get; } = new(
        Name: "Rocky Linux 9 (kickstart)",
        Kind: InstallerKind.Kickstart,
        KernelUrl: "https://dl.rockylinux.org/pub/rocky/9/BaseOS/x86_64/os/images/pxeboot/vmlinuz",
        InitrdUrls: ["https://dl.rockylinux.org/pub/rocky/9/BaseOS/x86_64/os/images/pxeboot/initrd.img"],
        KernelArgs: "ip=dhcp inst.repo={{deployment.params.repo_url}} console=tty0 console=ttyS0,115200n8",
        TemplateName: BuiltinTemplates.RhelKickstart,
        DefaultParameters: RhelDefaults("https://dl.rockylinux.org/pub/rocky/9/BaseOS/x86_64/os/"));

    public static NetbootProfile Alma9 { get; } = Rocky9 with
    {
        Name = "AlmaLinux 9 (kickstart)",
        KernelUrl = "https://repo.almalinux.org/almalinux/9/BaseOS/x86_64/os/images/pxeboot/vmlinuz",
        InitrdUrls = ["https://repo.almalinux.org/almalinux/9/BaseOS/x86_64/os/images/pxeboot/initrd.img"],
        DefaultParameters = RhelDefaults("https://repo.almalinux.org/almalinux/9/BaseOS/x86_64/os/"),
    };

    /// <summary>
    /// Ubuntu ships its netboot kernel and initrd inside the live-server ISO (casper/), so they are
    /// expected in the portal's boot-files directory; the ISO itself is fetched by the installer.
    /// </summary>
    public static NetbootProfile Ubuntu2404 { get; } = new(
        Name: "Ubuntu 24.04 LTS (autoinstall)",
        Kind: InstallerKind.Autoinstall,
        KernelUrl: "/boot-files/ubuntu-24.04/vmlinuz",
        InitrdUrls: ["/boot-files/ubuntu-24.04/initrd"],
        KernelArgs: "ip=dhcp url={{deployment.params.iso_url}} cloud-config-url=/dev/null console=tty0 console=ttyS0,115200n8",
        TemplateName: BuiltinTemplates.UbuntuAutoinstall,
        DefaultParameters: new Dictionary<string, string>
        {
            ["iso_url"] = "https://releases.ubuntu.com/24.04/ubuntu-24.04.3-live-server-amd64.iso",
            ["locale"] = "en_US.UTF-8",
            ["keyboard"] = "us",
            ["timezone"] = "Etc/UTC",
            ["admin_user"] = "ubuntu",
        });

    /// <summary>
    /// The tiny installer built by scripts/build-lab-installer.sh, for QEMU lab machines. It powers
    /// the machine off when done, so the run restarts it into the installed system (the VM's disk).
    /// </summary>
    public static NetbootProfile LabInstaller { get; } = new(
        Name: "Lab installer",
        Kind: InstallerKind.Generic,
        KernelUrl: "/boot-files/lab-installer/vmlinuz",
        InitrdUrls: ["/boot-files/lab-installer/initrd.img"],
        // panic=10: a broken initrd reboots, and the lab runs QEMU with -no-reboot, so it ends instead of hanging.
        KernelArgs: "console=ttyS0 panic=10",
        TemplateName: BuiltinTemplates.LabInstaller,
        DefaultParameters: new Dictionary<string, string> { ["install_seconds"] = "1" });

    public static IReadOnlyList<NetbootProfile> All { get; } = [Rocky9, Alma9, Ubuntu2404, LabInstaller];

    /// <summary>Built-in profiles whose installer powers the machine off instead of rebooting it.</summary>
    public static bool RestartsAfterInstall(NetbootProfile profile) => profile == LabInstaller;

    private static Dictionary<string, string> RhelDefaults(string repoUrl) => new()
    {
        ["repo_url"] = repoUrl,
        ["lang"] = "en_US.UTF-8",
        ["keyboard"] = "us",
        ["timezone"] = "Etc/UTC",
    };
}
