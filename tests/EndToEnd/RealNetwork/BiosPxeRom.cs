namespace Portal.EndToEnd.RealNetwork;

/// <summary>
/// A plain BIOS PXE ROM's side of DHCP and TFTP, played by real tools on a host of the network. Every NIC ROM
/// QEMU has here is iPXE, whose requests carry iPXE's user class and option 175, so no VM ever asks the way a
/// server's own PXE ROM does. busybox udhcpc does: it sends what a PXE 2.1 ROM sends (RFC 4578 options 93, 94
/// and 97, vendor class PXEClient for arch 0 / UNDI 2.1, a PXE ROM's parameter request list) and nothing iPXE
/// adds; curl then fetches the boot file over TFTP, as the ROM would next.
/// </summary>
/// <param name="host">A namespace whose eth0 is on the network and has no address yet.</param>
/// <param name="workDirectory">Where the DHCP event script and the fetched file go.</param>
public sealed class BiosPxeRom(NetworkNamespace host, string workDirectory)
{
    public const string VendorClass = "PXEClient:Arch:00000:UNDI:002001";

    // What Intel's PXE 2.1 ROMs ask for: the usual DHCP options plus 43/60 (PXE vendor options),
    // 66/67 (TFTP server and boot file), 97 (machine identifier) and 128–135 (PXE-reserved).
    private static readonly int[] RequestedOptions =
        [1, 2, 3, 5, 6, 11, 12, 13, 15, 16, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50, 51, 54, 58, 59, 60, 66, 67, 97, 128, 129, 130, 131, 132, 133, 134, 135];

    /// <summary>What the DHCPACK said: the address, the next server (siaddr) and the boot file (option 67 or the BOOTP file field).</summary>
    public sealed record Answer(string Address, string NextServer, string BootFile);

    /// <summary>
    /// DISCOVER → OFFER → REQUEST → ACK from <paramref name="mac"/> with <paramref name="machineId"/> as the SMBIOS
    /// UUID; the ROM then takes the address, as it does before its TFTP transfer.
    /// </summary>
    public Answer AskForBootFile(string mac, Guid machineId)
    {
        var answerFile = Path.Combine(workDirectory, "bios-pxe.answer");
        var script = Path.Combine(workDirectory, "bios-pxe.udhcpc");
        File.WriteAllText(script, $"""
            #!/bin/sh
            # udhcpc runs this at each DHCP event; on "bound" it keeps what the ACK said and takes the address.
            [ "$1" = bound ] || exit 0
            printf 'ip=%s\nsiaddr=%s\nboot_file=%s\nbootfile=%s\n' "$ip" "$siaddr" "$boot_file" "$bootfile" > '{answerFile}'
            ip addr add "$ip/$mask" dev "$interface"

            """);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        host.Run("ip", "link", "set", "eth0", "address", mac);

        string[] command =
        [
            "busybox", "udhcpc", "-i", "eth0", "-s", script,
            "-f", "-q", "-n", "-t", "5", "-T", "2", // foreground, quit once bound, give up after 5 discovers 2 s apart
            "-C", // no client identifier (option 61): a PXE ROM names itself by its GUID in option 97
            "-V", VendorClass, // option 60
            "-x", "0x5d:0000", // option 93, client system architecture: 0 = x86 BIOS
            "-x", "0x5e:010201", // option 94, client network interface: UNDI 2.1
            "-x", $"0x61:00{machineId:N}", // option 97, machine identifier: type 0, then the 16-byte UUID
            "-o", .. RequestedOptions.SelectMany(o => new[] { "-O", o.ToString() }),
        ];
        host.Run(command);

        var said = File.ReadAllLines(answerFile).Select(l => l.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        var bootFile = said["bootfile"] is { Length: > 0 } option67 ? option67 : said["boot_file"];
        return new Answer(said["ip"], said["siaddr"], bootFile);
    }

    /// <summary>The boot file over TFTP from <paramref name="server"/>, as the ROM fetches its network bootstrap program.</summary>
    public byte[] FetchOverTftp(string server, string file)
    {
        var saved = Path.Combine(workDirectory, "bios-pxe." + file);
        host.Run("curl", "--silent", "--show-error", "--max-time", "60", "--output", saved, $"tftp://{server}/{file}");
        return File.ReadAllBytes(saved);
    }
}
