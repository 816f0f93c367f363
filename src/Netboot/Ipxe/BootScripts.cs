using System.Text;
using Portal.Netboot.Inputs;
using Portal.Netboot.Templates;

namespace Portal.Netboot.Ipxe;

/// <summary>
/// The iPXE scripts the portal serves. Every script starts with <c>#!ipxe</c> and is built
/// completely or not at all: any problem is a <see cref="NetbootRenderException"/>.
/// </summary>
public static class BootScripts
{
    /// <summary>Linux's x86 COMMAND_LINE_SIZE; a longer command line is silently cut by the kernel.</summary>
    public const int MaxKernelCommandLine = 2048;

    private const string KernelName = "vmlinuz";

    /// <summary>
    /// The constant <c>/boot.ipxe</c>: the firmware reports who it is and chains to its own script.
    /// The MAC uses <c>:hexhyp</c> and the UUID its plain form because <c>:uristring</c> on those
    /// typed settings encodes their raw bytes (seen with Debian's iPXE); the free-text settings are
    /// URL-encoded with <c>:uristring</c>.
    /// </summary>
    public static string Bootstrap(PortalUrls urls)
    {
        var target = IpxeText.Word(urls.MachineScript, "Machine script URL");
        return $$"""
            #!ipxe
            # Portal bootstrap: tell the portal who this machine is and run the script it answers with.
            chain --replace --autofree {{target}}?mac=${net0/mac:hexhyp}&uuid=${uuid}&serial=${serial:uristring}&buildarch=${buildarch:uristring}&platform=${platform:uristring} || goto failed
            exit
            :failed
            echo Portal: could not fetch this machine's boot script, trying the next boot device
            exit 1

            """;
    }

    /// <summary>
    /// The installer for a machine with an active deployment: kernel with the profile's arguments
    /// plus the config URL and the events URL, its initrds, boot. For UEFI the kernel also gets an
    /// <c>initrd=NAME</c> per initrd: the EFI stub loads initrds by that name from iPXE's virtual
    /// filesystem, while the BIOS bzImage loader hands every fetched initrd over by itself.
    /// <paramref name="firmware"/> is what the firmware reported (the <c>platform</c> query value);
    /// it wins over the machine's recorded boot mode because it is what is actually running.
    /// </summary>
    public static string Installer(NetbootContext context, TemplateSet templates, BootMode? firmware = null)
    {
        var (machine, profile, deployment, urls) = context;
        var mode = firmware ?? machine.BootMode;
        if (profile.InitrdUrls.Count == 0)
            throw new NetbootRenderException($"Profile '{profile.Name}' has no initrd.");

        var kernelUrl = IpxeText.Word(Resolve(urls, profile.KernelUrl, deployment.Token, "kernel URL", profile), $"Profile '{profile.Name}' kernel URL");
        var initrds = profile.InitrdUrls
            .Select((url, i) => (Url: IpxeText.Word(Resolve(urls, url, deployment.Token, "initrd URL", profile), $"Profile '{profile.Name}' initrd URL"), Name: InitrdName(url, i)))
            .ToList();
        if (initrds.Select(i => i.Name).Distinct(StringComparer.Ordinal).Count() != initrds.Count)
            initrds = initrds.Select((i, n) => (i.Url, Name: $"initrd{n}")).ToList();

        var args = new List<string>();
        if (mode == BootMode.Uefi) args.AddRange(initrds.Select(i => "initrd=" + i.Name));
        var profileArgs = templates.RenderText($"{profile.Name} kernel arguments", profile.KernelArgs, context);
        args.AddRange(profileArgs.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(a => IpxeText.Word(a, $"Profile '{profile.Name}' kernel argument")));
        args.AddRange(ConfigArguments(profile.Kind, urls, deployment.Token));
        args.Add("portal.events=" + urls.Events(deployment.Token));
        foreach (var arg in args) IpxeText.Word(arg, "Kernel argument");

        var commandLine = string.Join(' ', args);
        if (commandLine.Length > MaxKernelCommandLine)
            throw new NetbootRenderException($"The kernel command line for deployment {deployment.Id} is {commandLine.Length} characters; Linux keeps only {MaxKernelCommandLine}.");

        var script = new StringBuilder();
        script.Append("#!ipxe\n");
        script.Append($"# Portal installer: deployment {deployment.Id}, machine {machine.Id} ({IpxeText.Line(machine.Name, 80)}) as {deployment.Hostname}\n");
        script.Append($"# Profile: {IpxeText.Line(profile.Name, 80)}; firmware: {(mode == BootMode.Uefi ? "UEFI" : "BIOS")}\n");
        script.Append($"kernel --name {KernelName} {kernelUrl} {commandLine} || goto failed\n");
        foreach (var (url, name) in initrds)
            script.Append($"initrd --name {name} {url} || goto failed\n");
        script.Append("boot || goto failed\n");
        script.Append(":failed\n");
        script.Append($"echo Portal: could not start the installer for deployment {deployment.Id}, trying the next boot device\n");
        script.Append("exit 1\n");
        return script.ToString();
    }

    /// <summary>
    /// Boot the local disk: <c>exit</c> hands control back to the firmware, which goes on to the
    /// next boot device. Served to deployed, unknown and not-provisioning machines alike.
    /// </summary>
    public static string LocalDisk(string reason)
    {
        var line = IpxeText.Line(reason);
        return $"""
            #!ipxe
            # Portal: boot from local disk ({line})
            echo Portal: booting from local disk
            exit

            """;
    }

    private static IEnumerable<string> ConfigArguments(InstallerKind kind, PortalUrls urls, string token) => kind switch
    {
        InstallerKind.Kickstart => ["inst.ks=" + urls.Kickstart(token)],
        // cloud-init's NoCloud source takes "ds=nocloud-net;s=SEED/" and appends user-data / meta-data.
        InstallerKind.Autoinstall => ["autoinstall", "ds=nocloud-net;s=" + urls.NoCloudSeed(token)],
        _ => ["portal.ks=" + urls.Kickstart(token)],
    };

    private static string Resolve(PortalUrls urls, string url, string token, string what, NetbootProfile profile)
    {
        try
        {
            return urls.ResolveFor(url, token);
        }
        catch (ArgumentException e)
        {
            throw new NetbootRenderException($"Profile '{profile.Name}' {what}: {e.Message}", e);
        }
    }

    // Named after the file so the UEFI initrd= argument reads naturally (initrd=initrd.img).
    private static string InitrdName(string url, int index)
    {
        var path = url.Split('?', '#')[0];
        var name = path[(path.LastIndexOf('/') + 1)..];
        return name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')
            && name != KernelName
            ? name
            : $"initrd{index}";
    }
}
