using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Portal.Lab.Power;

/// <summary>What QEMU needs to boot one lab machine.</summary>
/// <param name="NetworkBoot">The network comes first (a one-time PXE override, or a boot order that starts with the NIC); otherwise the disk does.</param>
/// <param name="DiskImage">The "installed system" every VM boots from its disk (read-only); null = no disk.</param>
/// <param name="Uefi">OVMF to boot with (Redfish boot mode UEFI); null = SeaBIOS (Legacy).</param>
/// <param name="Tap">A tap device to attach the NIC to (a real network with a real DHCP server); null = QEMU user networking.</param>
/// <param name="BiosPxeRom">On a tap with SeaBIOS: the iPXE .lkrn that plays the server's own PXE ROM (<see cref="LabOptions.VmBiosPxeRom"/>); empty = the NIC's iPXE ROM.</param>
internal sealed record VmSpec(
    string QemuPath, string Mac, Guid Uuid, string Serial, string Manufacturer, string Product,
    int MemoryMiB, string? NetbootUrl, bool NetworkBoot, string LogPath, string? DiskImage, UefiFirmware? Uefi, string? Tap = null,
    string BiosPxeRom = "")
{
    /// <summary>What the stand-in PXE ROM runs: DHCP, then the BIOS loader from the next server, as a PXE network bootstrap program.</summary>
    public const string BiosPxeRomScript = "dhcp && chain tftp://${next-server}/undionly.kpxe";
}

/// <summary>OVMF's code (shared, read-only) and this VM's own variable store (its NVRAM).</summary>
internal sealed record UefiFirmware(string CodePath, string VarsTemplatePath, string VarsPath)
{
    /// <summary>Debian's ovmf package: the 4 MiB build first, the older 2 MiB one otherwise.</summary>
    public static (string Code, string Vars)? Find()
    {
        foreach (var (code, vars) in new[] { ("OVMF_CODE_4M.fd", "OVMF_VARS_4M.fd"), ("OVMF_CODE.fd", "OVMF_VARS.fd") })
        {
            var (c, v) = (Path.Combine("/usr/share/OVMF", code), Path.Combine("/usr/share/OVMF", vars));
            if (File.Exists(c) && File.Exists(v)) return (c, v);
        }
        return null;
    }
}

/// <summary>
/// One running qemu-system-x86_64. Its console goes to a log file; its exit is reported so the
/// owning system's PowerState can follow the process.
/// </summary>
internal sealed class QemuVm
{
    private readonly Process process;
    private readonly FileStream log;
    private readonly object logLock = new();

    private QemuVm(Process process, FileStream log)
    {
        this.process = process;
        this.log = log;
    }

    public int ProcessId => process.Id;

    public bool HasExited => process.HasExited;

    public static IReadOnlyList<string> Arguments(VmSpec spec)
    {
        // On a tap the network's own DHCP server says where to boot, as on a real network; on QEMU's user
        // network its built-in DHCP hands iPXE the boot URL.
        var netdev = spec.Tap is { } tap ? $"tap,id=n0,ifname={Escape(tap)},script=no,downscript=no" : "user,id=n0";
        if (spec.Tap is null && !string.IsNullOrEmpty(spec.NetbootUrl)) netdev += ",bootfile=" + Escape(spec.NetbootUrl);
        // UEFI on a tap network-boots with OVMF's own PXE (DHCP, then ipxe.efi over TFTP), as a server's
        // firmware does: its NIC carries no iPXE ROM.
        var firmwarePxe = spec.Tap is not null && spec.Uefi is not null && spec.NetworkBoot;
        // BIOS likewise when a stand-in PXE ROM is set: SeaBIOS boots it (a kernel goes before any boot device),
        // and it fetches undionly.kpxe over TFTP as a server's PXE ROM would.
        var biosPxeRom = spec.Tap is not null && spec.Uefi is null && spec.NetworkBoot && spec.BiosPxeRom.Length > 0;
        // The system's boot order (or a one-time override) becomes QEMU's bootindex, which SeaBIOS and
        // OVMF follow at each start: network first puts the NIC's iPXE ROM before the disk, so iPXE's
        // `exit` (Portal's local-boot answer) goes on to the disk; disk first starts the installed
        // system without touching the network, and only an empty disk falls back to the NIC.
        var nic = $"virtio-net-pci,netdev=n0,mac={spec.Mac},bootindex={(spec.NetworkBoot ? 1 : 2)}" + (firmwarePxe || biosPxeRom ? ",romfile=" : "");
        var smbios = $"type=1,serial={Escape(spec.Serial)},uuid={spec.Uuid:D},manufacturer={Escape(spec.Manufacturer)},product={Escape(spec.Product)}";
        var args = new List<string>
        {
            "-accel", "tcg", "-m", spec.MemoryMiB.ToString(), "-nographic", "-no-reboot",
            "-netdev", netdev, "-device", nic, "-smbios", smbios,
        };
        if (biosPxeRom) args.AddRange(["-kernel", spec.BiosPxeRom, "-append", VmSpec.BiosPxeRomScript]);
        if (spec.DiskImage is { } disk)
        {
            args.AddRange(["-drive", $"file={Escape(disk)},format=raw,if=none,id=disk0,readonly=on", "-device", $"virtio-blk-pci,drive=disk0,bootindex={(spec.NetworkBoot ? 2 : 1)}"]);
        }
        if (spec.Uefi is { } uefi)
        {
            args.AddRange(
            [
                "-drive", $"if=pflash,format=raw,readonly=on,file={Escape(uefi.CodePath)}",
                "-drive", $"if=pflash,format=raw,file={Escape(uefi.VarsPath)}",
                // OVMF's own network stack off: the NIC's iPXE is the one network boot, as on a server
                // whose NIC carries iPXE. Left on, OVMF's PXE and HTTP boot entries sit between iPXE
                // and the disk, and a local boot walks them for minutes (IPv6 PXE waits out its DHCP).
                "-fw_cfg", $"name=opt/org.tianocore/IPv4Support,string={(firmwarePxe ? "yes" : "no")}",
                "-fw_cfg", "name=opt/org.tianocore/IPv6Support,string=no",
            ]);
        }
        return args;
    }

    // QEMU option values use ',' as separator; a literal comma is written twice.
    private static string Escape(string value) => value.Replace(",", ",,");

    public static QemuVm Start(VmSpec spec, Action onExit, ILogger logger)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(spec.LogPath)!);
        // The VM's NVRAM starts as OVMF's empty template and then keeps what the firmware writes.
        if (spec.Uefi is { } uefi && !File.Exists(uefi.VarsPath)) File.Copy(uefi.VarsTemplatePath, uefi.VarsPath);
        var log = new FileStream(spec.LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 4096, useAsync: false);
        var psi = new ProcessStartInfo(spec.QemuPath)
        {
            RedirectStandardInput = true, // kept open and idle: -nographic reads its console from stdin
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in Arguments(spec)) psi.ArgumentList.Add(a);

        var header = $"--- {DateTimeOffset.UtcNow:O} power on: {spec.QemuPath} {string.Join(' ', psi.ArgumentList)}\n";
        log.Write(System.Text.Encoding.UTF8.GetBytes(header));
        log.Flush();

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var vm = new QemuVm(process, log);
        process.Exited += (_, _) =>
        {
            logger.LogInformation("QEMU for {Serial} exited", spec.Serial);
            onExit();
        };
        process.Start();
        // The log closes once both pipes are drained, whether QEMU stopped by itself or was killed.
        _ = Task.WhenAll(vm.PumpAsync(process.StandardOutput.BaseStream), vm.PumpAsync(process.StandardError.BaseStream))
            .ContinueWith(_ => { lock (vm.logLock) log.Dispose(); }, TaskScheduler.Default);
        logger.LogInformation("QEMU for {Serial} started as pid {Pid} ({Firmware}, network boot: {Pxe}), console in {Log}",
            spec.Serial, process.Id, spec.Uefi is null ? "SeaBIOS" : "OVMF", spec.NetworkBoot, spec.LogPath);
        return vm;
    }

    private async Task PumpAsync(Stream source)
    {
        var buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await source.ReadAsync(buffer)) > 0)
            {
                lock (logLock)
                {
                    if (!log.CanWrite) return;
                    log.Write(buffer, 0, n);
                    log.Flush();
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The process went away mid-read; nothing left to log.
        }
    }

    public void Kill()
    {
        try
        {
            // SIGKILL, no waiting: callers hold the BMC lock, which the Exited handler also takes.
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }
}
