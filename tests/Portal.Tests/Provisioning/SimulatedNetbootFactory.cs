using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Portal.Lab;
using Portal.TestSupport;

namespace Portal.Tests.Provisioning;

/// <summary>
/// The provisioning Portal on real Kestrel (127.0.0.1, any port), and lab BMCs on 127.0.190.x whose
/// systems netboot against it with the lab's simulated firmware and installer: a started run goes
/// all the way by itself. Boot files are small stand-ins for the kernels and initrds the built-in
/// profiles expect on the Portal; the distributions' own mirrors are never contacted. Timeouts are
/// short so that injected faults end their runs within a test.
/// </summary>
public class SimulatedNetbootFactory : ProvisioningFactory
{
    /// <summary>The lab's first BMC address; a host in another test project takes a range of its own.</summary>
    protected virtual string FirstLabAddress => "127.0.190.1";

    public static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(5);

    private string bootFiles = "";
    private int port;

    /// <summary>Where the lab's machines reach the Portal, e.g. http://127.0.0.1:43123.</summary>
    public string BaseUrl { get; private set; } = "";

    protected override async Task<LabFleet> StartLabAsync(string directory)
    {
        // In the lab's folder, which goes away with the lab.
        bootFiles = Path.Combine(directory, "boot-files");
        foreach (var file in new[] { "lab-installer/vmlinuz", "lab-installer/initrd.img", "ubuntu-24.04/vmlinuz", "ubuntu-24.04/initrd" })
        {
            var path = Path.Combine(bootFiles, file);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, new byte[64 * 1024]);
        }
        port = PortalTestHost.FreePort();
        UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, port));
        StartServer();
        BaseUrl = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        ClientOptions.BaseAddress = new Uri(BaseUrl); // the test clients talk to the same Kestrel as the machines
        return await LabFleet.StartAsync(new LabOptions
        {
            BmcCount = 16, FirstAddress = FirstLabAddress, OutputDirectory = directory, Seed = 19,
            SimulatedNetbootUrl = BaseUrl, InstallerPace = TimeSpan.FromMilliseconds(100),
        });
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        PortalTestHost.ReachableAt(builder, port);
        builder.UseSetting("Netboot:BootFilesDirectory", bootFiles);
        builder.UseSetting("Provisioning:ScriptFetchTimeout", WaitTimeout.ToString());
        builder.UseSetting("Provisioning:ConfigFetchTimeout", WaitTimeout.ToString());
        builder.UseSetting("Provisioning:InstallerTimeout", WaitTimeout.ToString());
        builder.UseSetting("Provisioning:QueuePollInterval", "00:00:00.200");
    }
}
