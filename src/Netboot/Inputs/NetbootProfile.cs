namespace Portal.Netboot.Inputs;

/// <summary>Which installer reads the rendered config; decides the kernel argument that points at it.</summary>
public enum InstallerKind
{
    /// <summary>Anaconda (Rocky, Alma, RHEL, Fedora): <c>inst.ks=URL</c>.</summary>
    Kickstart,
    /// <summary>Ubuntu Subiquity: <c>autoinstall ds=nocloud-net;s=URL/</c>, serving user-data and meta-data.</summary>
    Autoinstall,
    /// <summary>Anything else, including the lab installer: <c>portal.ks=URL</c>.</summary>
    Generic,
}

/// <summary>
/// What to install. <see cref="KernelUrl"/> and <see cref="InitrdUrls"/> are absolute http(s) URLs
/// or paths relative to the portal's base URL (files from the local boot-files directory).
/// <see cref="KernelArgs"/> is a Handlebars template like the main one; the installer-specific
/// arguments (config URL, events URL, initrd= names) are added by <c>BootScripts.Installer</c>.
/// <see cref="DefaultParameters"/> also declare which <c>deployment.params.*</c> exist, since
/// templates are rendered strictly.
/// </summary>
public sealed record NetbootProfile(
    string Name,
    InstallerKind Kind,
    string KernelUrl,
    IReadOnlyList<string> InitrdUrls,
    string KernelArgs,
    string TemplateName,
    IReadOnlyDictionary<string, string> DefaultParameters);
