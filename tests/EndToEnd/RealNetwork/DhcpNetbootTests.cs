using System.Diagnostics;
using System.Text.Json;
using Portal.Netboot.Dhcp;
using Portal.TestSupport;
using Xunit.Abstractions;

namespace Portal.EndToEnd.RealNetwork;

/// <summary>
/// Real PXE on a real (namespaced) network: no QEMU user networking and no bootfile= — the VMs' stock
/// firmware asks the network, and only the Portal-managed dnsmasq says where to boot. The Portal runs inside
/// the namespace; nothing listens or sends outside it.
/// </summary>
[Collection(VmCollection.Name)]
public sealed class DhcpNetbootTests(ITestOutputHelper output)
{
    private static readonly TimeSpan ToDeployed = TimeSpan.FromMinutes(6);

    /// <summary>
    /// Full mode, each firmware's own path. UEFI: OVMF's PXE → ipxe.efi over TFTP → iPXE → /boot.ipxe → Deployed.
    /// BIOS: a PXE ROM → undionly.kpxe over TFTP → iPXE on the PXE API → /boot.ipxe → Deployed. QEMU has no BIOS
    /// PXE ROM that is not iPXE (which dnsmasq rightly sends straight to /boot.ipxe), so the SeaBIOS VM's ROM is
    /// played by ipxe.lkrn (Lab:VmBiosPxeRom), and what a real ROM is told is checked with a ROM's own DHCP
    /// request at the end. A stranger boots its disk.
    /// </summary>
    [NetnsFact]
    public async Task InFullModeBiosAndUefiVmsReachDeployedThroughRealDhcpAndTftpAndAStrangerBootsItsDisk()
    {
        await using var network = await PxeNetwork.CreateAsync(taps: 3);
        try
        {
            await network.StartPortalAsync(labVms: 2, new Dictionary<string, string>
            {
                ["Netboot:Dhcp:Mode"] = "Full", ["Netboot:Dhcp:RangeStart"] = "10.77.0.100", ["Netboot:Dhcp:RangeEnd"] = "10.77.0.150",
                ["Lab:VmBiosPxeRom"] = "/usr/lib/ipxe/ipxe.lkrn",
            });
            var dhcp = await network.DhcpAsync();
            Assert.True(dhcp.Running, $"dnsmasq is not running: {dhcp.LastError}");
            Assert.Equal(("Full", "br0"), (dhcp.Mode, dhcp.Interface));

            // The lab alternates firmwares: VM 0 (tap0) boots OVMF, VM 1 (tap1) SeaBIOS.
            var machines = await network.DiscoverLabAsync(bmcs: 2);
            var uefi = await network.ProvisionAsync(machines[0], "uefi-pxe.lab");
            var bios = await network.ProvisionAsync(machines[1], "bios-pxe.lab");
            foreach (var run in new[] { bios, uefi })
            {
                var finished = await network.WaitUntilDeployedOrFailedAsync(run, ToDeployed);
                Assert.True(finished.GetProperty("step").GetString() == "Deployed", $"run {run}: {finished}");
            }
            Assert.Contains("platform=efi", await ScriptEventAsync(network, uefi));
            Assert.Contains("platform=pcbios", await ScriptEventAsync(network, bios));

            // UEFI PXE came through DHCP and TFTP: dnsmasq sent OVMF ipxe.efi, and iPXE was told the Portal's /boot.ipxe.
            var heard = (await network.DhcpAsync()).Recent.Select(l => l.Text).ToList();
            Assert.Contains(heard, l => l.Contains("sent /usr/lib/ipxe/ipxe.efi to 10.77.0.", StringComparison.Ordinal));
            Assert.Contains(heard, l => l.Contains("DHCPACK(br0) 10.77.0.", StringComparison.Ordinal));
            // BIOS too, with undionly.kpxe: the iPXE that deployed the SeaBIOS VM drove its NIC through the PXE API.
            Assert.Contains(heard, l => l.Contains("sent /usr/lib/ipxe/undionly.kpxe to 10.77.0.", StringComparison.Ordinal));
            Assert.Contains(Directory.GetFiles(Path.Combine(network.LabDirectory, "vm"), "*.log"), log => Read(log).Contains("using undionly on"));

            // Leases feed discovery: dnsmasq's lease file is a discovery source and holds the VMs' addresses.
            Assert.Equal(1L, await network.QueryAsync<long>("""SELECT count(*) FROM "DiscoverySources" WHERE "Value" = @v""", ("v", dhcp.LeaseFile!)));
            Assert.Contains("10.77.0.", await File.ReadAllTextAsync(dhcp.LeaseFile!));

            await AStrangerBootsItsLocalDiskAndIsSightedAsync(network);
            await ABiosPxeRomIsSentUndionlyOverTftpAsync(network);
        }
        catch
        {
            Dump(network);
            throw;
        }
    }

    [NetnsFact]
    public async Task InProxyModeTheSitesDhcpServerGivesTheAddressAndPortalsDnsmasqTheBootInformation()
    {
        await using var network = await PxeNetwork.CreateAsync(taps: 2);
        // The site's own DHCP server on another host of the network: plain dnsmasq with no boot options.
        var site = network.AddHost("10.77.0.2/24");
        var siteLog = Path.Combine(Path.GetTempPath(), $"{site.Name}.log");
        site.Start(siteLog, "dnsmasq", "--keep-in-foreground", "--log-facility=-", "--pid-file=", "--port=0", "--interface=eth0", "--bind-interfaces",
            "--dhcp-range=10.77.0.50,10.77.0.90,255.255.255.0,1h", "--dhcp-leasefile=" + Path.Combine(Path.GetTempPath(), $"{site.Name}.leases"));
        try
        {
            await network.StartPortalAsync(labVms: 2, new Dictionary<string, string> { ["Netboot:Dhcp:Mode"] = "Proxy" });
            var dhcp = await network.DhcpAsync();
            Assert.True(dhcp.Running, $"dnsmasq is not running: {dhcp.LastError}");

            var machines = await network.DiscoverLabAsync(bmcs: 2);
            var run = await network.ProvisionAsync(machines[1], "bios-proxy.lab"); // VM 1: SeaBIOS with the NIC's iPXE
            var finished = await network.WaitUntilDeployedOrFailedAsync(run, ToDeployed);
            Assert.True(finished.GetProperty("step").GetString() == "Deployed", $"run {run}: {finished}");

            var heard = (await network.DhcpAsync()).Recent.Select(l => l.Text).ToList();
            Assert.Contains(heard, l => l.Contains(" proxy", StringComparison.Ordinal));
            Assert.DoesNotContain(heard, l => l.Contains("DHCPACK", StringComparison.Ordinal)); // addresses came from the site's server
            Assert.Contains("DHCPACK(eth0) 10.77.0.", await File.ReadAllTextAsync(siteLog));
        }
        catch
        {
            Dump(network);
            if (File.Exists(siteLog)) output.WriteLine("site DHCP:\n" + Tail(await File.ReadAllTextAsync(siteLog)));
            throw;
        }
        finally
        {
            File.Delete(siteLog);
        }
    }

    /// <summary>
    /// OVMF's own UEFI HTTP boot: the Portal's dnsmasq ignores OVMF's PXE requests by their vendor class
    /// (an IgnoreTags rule; iPXE's own requests carry another UNDI version and are still answered), so
    /// OVMF goes on to its HTTPv4 entry, asks as "HTTPClient", is sent ipxe.efi over HTTP from the Portal,
    /// and iPXE goes on as with PXE.
    /// </summary>
    [NetnsFact]
    public async Task AUefiVmBootsThroughUefiHttpBootWhenItsPxeIsNotAnswered()
    {
        await using var network = await PxeNetwork.CreateAsync(taps: 1);
        try
        {
            await network.StartPortalAsync(labVms: 1, new Dictionary<string, string>
            {
                ["Netboot:Dhcp:Mode"] = "Full", ["Netboot:Dhcp:RangeStart"] = "10.77.0.100", ["Netboot:Dhcp:RangeEnd"] = "10.77.0.150",
                ["Netboot:Dhcp:IgnoreTags:0"] = "vendor-class:PXEClient:Arch:00007:UNDI:003000",
            });
            var machines = await network.DiscoverLabAsync(bmcs: 1);
            var run = await network.ProvisionAsync(machines[0], "uefi-http.lab");
            var finished = await network.WaitUntilDeployedOrFailedAsync(run, ToDeployed);
            Assert.True(finished.GetProperty("step").GetString() == "Deployed", $"run {run}: {finished}");
            Assert.Contains("platform=efi", await ScriptEventAsync(network, run));

            // OVMF asked as an HTTP boot client and ipxe.efi came over HTTP from the Portal, never over TFTP
            // (dnsmasq's lines, in the Portal's log).
            Assert.Contains("HTTPClient", network.Output);
            Assert.DoesNotContain("sent /usr/lib/ipxe/ipxe.efi", network.Output);
        }
        catch
        {
            Dump(network);
            throw;
        }
    }

    /// <summary>A machine Portal has never heard of: its iPXE is told to boot locally, and the Portal keeps a sighting.</summary>
    private async Task AStrangerBootsItsLocalDiskAndIsSightedAsync(PxeNetwork network)
    {
        const string mac = "52:54:00:77:00:99";
        var console = Path.Combine(network.LabDirectory, "stranger.log");
        using var vm = network.Namespace.Start(console, "qemu-system-x86_64", "-accel", "tcg", "-m", "128", "-nographic", "-no-reboot",
            "-netdev", "tap,id=n0,ifname=tap2,script=no,downscript=no", "-device", $"virtio-net-pci,netdev=n0,mac={mac},bootindex=1");
        try
        {
            await Eventually.TrueAsync(async () => await network.QueryAsync<long>("""SELECT count(*) FROM "NetbootSightings" WHERE "Mac" = @m""", ("m", mac)) == 1,
                "the stranger's sighting", TimeSpan.FromSeconds(90));
            await Eventually.TrueAsync(() => Read(console).Contains("Portal: booting from local disk"), "the stranger to be told to boot locally", TimeSpan.FromSeconds(30));
        }
        finally
        {
            if (!vm.HasExited) vm.Kill(entireProcessTree: true);
        }
    }

    /// <summary>
    /// A server's own BIOS PXE ROM (arch 0, not iPXE) is told undionly.kpxe on the Portal's TFTP server and gets
    /// Debian's file byte for byte. No lab VM asks this way: their NIC ROMs are iPXE, which goes straight to /boot.ipxe.
    /// </summary>
    private static async Task ABiosPxeRomIsSentUndionlyOverTftpAsync(PxeNetwork network)
    {
        const string mac = "52:54:00:77:00:97";
        var rom = new BiosPxeRom(network.AddHost(cidr: null), network.LabDirectory);

        var answer = rom.AskForBootFile(mac, Guid.Parse("77777777-0000-4000-8000-000000000097"));
        Assert.Equal((PxeNetwork.PortalAddress, DnsmasqConfig.BiosLoader), (answer.NextServer, answer.BootFile));
        Assert.StartsWith("10.77.0.", answer.Address, StringComparison.Ordinal);
        var debians = await File.ReadAllBytesAsync("/usr/lib/ipxe/undionly.kpxe");
        var served = rom.FetchOverTftp(answer.NextServer, answer.BootFile);
        Assert.True(served.AsSpan().SequenceEqual(debians),
            $"TFTP sent {served.Length} bytes that are not Debian's undionly.kpxe");

        // dnsmasq's own account, as the Network boot page shows it: an offer and an ack to this MAC, and the file sent to its address.
        await Eventually.TrueAsync(async () =>
        {
            var heard = (await network.DhcpAsync()).Recent.Select(l => l.Text).ToList();
            return heard.Any(l => l.Contains($"DHCPOFFER(br0) {answer.Address} {mac}", StringComparison.Ordinal))
                && heard.Any(l => l.Contains($"DHCPACK(br0) {answer.Address} {mac}", StringComparison.Ordinal))
                && heard.Any(l => l.Contains($"sent /usr/lib/ipxe/undionly.kpxe to {answer.Address}", StringComparison.Ordinal));
        }, "dnsmasq's lines about the BIOS PXE ROM on the Network boot page", TimeSpan.FromSeconds(10));
        Assert.Contains(" tags: bios, br0", network.Output); // tagged BIOS and not iPXE (log-dhcp, in the Portal's log)
    }

    private static async Task<string> ScriptEventAsync(PxeNetwork network, long run)
    {
        var detail = await network.DeploymentAsync(run);
        return detail.GetProperty("events").EnumerateArray().Single(e => e.GetProperty("phase").GetString() == "script").GetProperty("message").GetString()!;
    }

    private void Dump(PxeNetwork network)
    {
        output.WriteLine("Portal output:\n" + Tail(network.Output));
        // The lab's VM consoles (vm/), and those of the VMs the tests start themselves.
        foreach (var folder in new[] { Path.Combine(network.LabDirectory, "vm"), network.LabDirectory }.Where(Directory.Exists))
            foreach (var log in Directory.GetFiles(folder, "*.log")) output.WriteLine($"{Path.GetFileName(log)}:\n{Tail(Read(log))}");
    }

    private static string Read(string path)
    {
        if (!File.Exists(path)) return "";
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        return new StreamReader(stream).ReadToEnd();
    }

    private static string Tail(string text) => text.Length <= 6000 ? text : text[^6000..];
}
