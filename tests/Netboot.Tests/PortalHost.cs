using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Bmcs;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;
using Portal.TestSupport;

namespace Portal.Netboot.Tests;

/// <summary>
/// The whole Portal host on real Kestrel at 127.0.0.1 (random port) with its own database and
/// boot-files directory; the one host of the netboot tests. The real-firmware VM reaches it as
/// 10.0.2.2 through QEMU user networking, and the portal builds its URLs from the Host the firmware used.
/// </summary>
public sealed class PortalHost : WebApplicationFactory<Program>
{
    private readonly string _connectionString;
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("portal-netboot-").FullName;
    private readonly string _bootFiles;
    private readonly IReadOnlyDictionary<string, string> _settings;

    private PortalHost(string connectionString, string bootFiles, IReadOnlyDictionary<string, string> settings)
    {
        _connectionString = connectionString;
        _bootFiles = bootFiles;
        _settings = settings;
    }

    public int Port { get; private set; }

    /// <summary>The served boot-files folder.</summary>
    public string BootFilesDirectory => _bootFiles;

    /// <summary>Serving the lab installer's kernel and initrd.</summary>
    public static Task<PortalHost> StartAsync(string labInstallerDirectory) => StartAsync(bootFiles =>
    {
        // Only the two lab installer files go into the served folder, never the build's cache next to them.
        Directory.CreateDirectory(Path.Combine(bootFiles, "lab-installer"));
        foreach (var file in new[] { "vmlinuz", "initrd.img" })
            File.Copy(Path.Combine(labInstallerDirectory, file), Path.Combine(bootFiles, "lab-installer", file));
    });

    /// <param name="fillBootFiles">Puts what the test serves into the (empty) boot-files folder before the host starts.</param>
    /// <param name="settings">Configuration on top of the test defaults, e.g. Netboot:RateLimit:PermitLimit.</param>
    public static async Task<PortalHost> StartAsync(Action<string> fillBootFiles, IReadOnlyDictionary<string, string>? settings = null)
    {
        var bootFiles = Directory.CreateTempSubdirectory("portal-boot-files-").FullName;
        fillBootFiles(bootFiles);
        var host = new PortalHost(await TestPostgres.CreateDatabaseAsync("netboot"), bootFiles, settings ?? new Dictionary<string, string>());
        host.Port = PortalTestHost.FreePort();
        host.UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, host.Port));
        host.StartServer();
        return host;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // The shared test settings (own Quartz scheduler name, so two hosts can live in one test process).
        PortalTestHost.Configure(builder, _connectionString, _dataDirectory, "admin@netboot.local", "Netboot-Admin-Passw0rd");
        builder.UseSetting("Netboot:BootFilesDirectory", _bootFiles);
        PortalTestHost.ReachableAt(builder, Port);
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
    }

    public async Task<T> WithDbAsync<T>(Func<AppDbContext, Task<T>> action)
    {
        using var scope = Services.CreateScope();
        return await action(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }

    /// <summary>A machine as discovery would have left it: Available, with its NIC, UUID, serial and the boot mode its BMC reports.</summary>
    public Task<long> CreateMachineAsync(string mac, Guid uuid, string serial, string bootMode = "Legacy") => WithDbAsync(async db =>
    {
        var now = DateTimeOffset.UtcNow;
        var bmc = Bmc.Discovered("02:bb:00:00:00:01", "127.0.0.1", 443, true, now);
        db.Bmcs.Add(bmc);
        await db.SaveChangesAsync();
        var machine = Machine.Discovered(bmc.Id, "/redfish/v1/Systems/1", now);
        machine.ApplyFacts(new MachineFacts("/redfish/v1/Systems/1", uuid, serial, "QEMU", "Standard PC", "x86_64", bootMode, "SeaBIOS",
            "QEMU Virtual CPU", 1, 1, 1, 512L << 20, [], [new MachineNic(mac, 1000, "eth0")], [], "On"), bmc.Id, now);
        db.Machines.Add(machine);
        await db.SaveChangesAsync();
        return machine.Id;
    });

    public Task<(long Id, string Token)> StartDeploymentAsync(long machineId, IReadOnlyDictionary<string, string> parameters) => WithDbAsync(async db =>
    {
        var machine = await db.Machines.SingleAsync(m => m.Id == machineId);
        var profile = await db.OsProfiles.SingleAsync(p => p.Name == "Lab installer");
        var user = await db.Users.FirstAsync();
        var deployment = Deployment.Start(machine, user.Id, profile, "web-01",
            ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ0ZXN0a2V5Zm9ycG9ydGFsbmV0Ym9vdHRlc3Rz alice@example"], null, parameters, DateTimeOffset.UtcNow);
        db.Deployments.Add(deployment);
        await db.SaveChangesAsync();
        return (deployment.Id, deployment.IssuedToken!);
    });

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await TestPostgres.DropDatabaseAsync(_connectionString);
        Directory.Delete(_dataDirectory, recursive: true);
        Directory.Delete(_bootFiles, recursive: true);
    }
}
