namespace Portal.Lab;

/// <summary>
/// How to build the virtual lab. A plain init-only record so it binds from the "Lab"
/// configuration section as well as from code.
/// </summary>
public sealed record LabOptions
{
    public const string SectionName = "Lab";

    /// <summary>How many simulated BMCs to start.</summary>
    public int BmcCount { get; init; } = 8;

    /// <summary>Same seed → same fleet (vendors, hardware, MACs, serials, passwords).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>BMC 0 listens here; BMC i on the i-th next address, skipping x.y.z.0 and x.y.z.255.</summary>
    public string FirstAddress { get; init; } = "127.0.10.1";

    /// <summary>Port every BMC listens on; 0 picks one port that is free on all BMC addresses.</summary>
    public int Port { get; init; }

    /// <summary>HTTPS with a self-signed ECDSA certificate per BMC (true) or plain HTTP.</summary>
    public bool Https { get; init; } = true;

    /// <summary>Where the credential CSV, lease file and VM console logs go; empty = a fresh temp folder.</summary>
    public string OutputDirectory { get; init; } = "";

    /// <summary>The boot file URL QEMU's DHCP hands to iPXE, e.g. http://10.0.2.2:5000/boot.ipxe.</summary>
    public string? NetbootUrl { get; init; }

    /// <summary>
    /// The Portal the simulated firmware of every system that is not VM-backed netboots from, e.g.
    /// http://127.0.0.1:5080. Null = off: such a system only changes its power state.
    /// </summary>
    public string? SimulatedNetbootUrl { get; init; }

    /// <summary>Time the simulated installer takes between two of its phone-home events.</summary>
    public TimeSpan InstallerPace { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Netboot faults every system starts with (the control API changes them per BMC).</summary>
    public Netboot.NetbootFaults NetbootFaults { get; init; } = Netboot.NetbootFaults.None;

    /// <summary>How many systems (the first ones, in BMC order) are backed by a real QEMU VM.</summary>
    public int VmBackedCount { get; init; }

    /// <summary>
    /// The disk every VM boots from when it does not netboot (attached read-only), e.g. the lab
    /// installer build's disk.img: its "installed system" says so on the console and keeps running.
    /// Empty = VMs have no disk.
    /// </summary>
    public string VmDiskImage { get; init; } = "";

    /// <summary>
    /// Tap devices (one per VM, in order) that attach the VMs to a real network instead of QEMU's user
    /// networking: the network's DHCP server then tells the firmware where to boot (no NetbootUrl), and
    /// UEFI VMs boot with OVMF's own PXE. The taps must exist (ip tuntap add … mode tap) and be up.
    /// </summary>
    public string[] VmTaps { get; init; } = [];

    /// <summary>
    /// A stand-in for a server's own BIOS PXE ROM, for SeaBIOS VMs that netboot on a tap (whose NICs then carry
    /// no iPXE ROM): an iPXE .lkrn such as Debian's /usr/lib/ipxe/ipxe.lkrn, which SeaBIOS boots as a kernel. It
    /// does DHCP, fetches undionly.kpxe from the next server over TFTP and runs it with the PXE API, as a PXE ROM
    /// runs the file DHCP names. It asks DHCP as iPXE, so it names the file itself. Empty = the NIC's iPXE ROM.
    /// </summary>
    public string VmBiosPxeRom { get; init; } = "";

    /// <summary>Memory (MiB) each QEMU VM gets.</summary>
    public int VmMemoryMiB { get; init; } = 256;

    /// <summary>
    /// Vendor profile names assigned round-robin by BMC index. Empty = the default mix, whose
    /// first eight entries cover every profile (see <see cref="VendorProfiles.DefaultMix"/>).
    /// </summary>
    public string[] Profiles { get; init; } = [];

    /// <summary>Plain-HTTP control API address (not Redfish): faults, stats, fleet facts.</summary>
    public string ControlAddress { get; init; } = "127.0.0.1";

    /// <summary>Control API port; 0 = any free port.</summary>
    public int ControlPort { get; init; }

    /// <summary>Idle time after which a Redfish session token stops working.</summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Open sessions a BMC allows at once (real BMCs have small limits).</summary>
    public int MaxSessions { get; init; } = 32;

    /// <summary>Consecutive bad logins that lock the BMC account.</summary>
    public int LockoutThreshold { get; init; } = 5;

    /// <summary>How long the account stays locked.</summary>
    public TimeSpan LockoutDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Overrides the Reset delay of the slow profile (default from the profile: 4 s), so tests
    /// can use a shorter one. Null keeps the profile's value.
    /// </summary>
    public TimeSpan? SlowResetDelay { get; init; }

    /// <summary>Faults every BMC starts with.</summary>
    public FaultSettings DefaultFaults { get; init; } = FaultSettings.None;

    /// <summary>
    /// Write MACs in the credential CSV the way each vendor's delivery spells them (true) or
    /// all as aa:bb:cc:dd:ee:ff (false).
    /// </summary>
    public bool VendorMacSpelling { get; init; } = true;

    /// <summary>
    /// When set, every system reports this serial instead of its generated one, as boards shipped with
    /// "To Be Filled By O.E.M." do: the machines differ only by UUID and MACs. Null keeps unique serials.
    /// </summary>
    public string? SystemSerial { get; init; }

    /// <summary>Path of qemu-system-x86_64 (found on PATH when empty).</summary>
    public string QemuPath { get; init; } = "";
}
