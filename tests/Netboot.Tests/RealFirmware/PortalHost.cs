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

namespace Portal.Netboot.Tests.RealFirmware;

/// <summary>
/// The whole Portal host on real Kestrel at 127.0.0.1 (random port) with its own database, serving
/// the lab installer from its boot-files directory. The VM reaches it as 10.0.2.2 through QEMU user
/// networking, and the portal builds its URLs from the Host the firmware used.
/// </summary>
internal sealed class PortalHost : WebApplicationFactory<Program>
{
    private readonly string _connectionString;
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("portal-netboot-").FullName;
    private readonly string _bootFiles;

    private PortalHost(string connectionString, string bootFiles)
    {
        _connectionString = connectionString;
        _bootFiles = bootFiles;
    }

    public int Port { get; private set; }

    public static async Task<PortalHost> StartAsync(string labInstallerDirectory)
    {
        // Only the two lab installer files go into the served folder, never the build's cache next to them.
        var bootFiles = Directory.CreateTempSubdirectory("portal-boot-files-").FullName;
        Directory.CreateDirectory(Path.Combine(bootFiles, "lab-installer"));
        foreach (var file in new[] { "vmlinuz", "initrd.img" })
            File.Copy(Path.Combine(labInstallerDirectory, file), Path.Combine(bootFiles, "lab-installer", file));
        var host = new PortalHost(await TestPostgres.CreateDatabaseAsync("netboot"), bootFiles);
        host.Port = PortalTestHost.FreePort();
        host.UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, host.Port));
        host.StartServer();
        return host;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Portal", _connectionString);
        builder.UseSetting("Portal:DataDirectory", _dataDirectory);
        builder.UseSetting("Portal:AdminEmail", "admin@netboot.local");
        builder.UseSetting("Portal:AdminPassword", "Netboot-Admin-Passw0rd");
        builder.UseSetting("Netboot:BootFilesDirectory", _bootFiles);
        PortalTestHost.ReachableAt(builder, Port);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }

    public async Task<T> WithDbAsync<T>(Func<AppDbContext, Task<T>> action)
    {
        using var scope = Services.CreateScope();
        return await action(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }

    /// <summary>A machine as discovery would have left it: Available, with its NIC, UUID and serial.</summary>
    public Task<long> CreateMachineAsync(string mac, Guid uuid, string serial) => WithDbAsync(async db =>
    {
        var now = DateTimeOffset.UtcNow;
        var bmc = Bmc.Discovered("02:bb:00:00:00:01", "127.0.0.1", 443, true, now);
        db.Bmcs.Add(bmc);
        await db.SaveChangesAsync();
        var machine = Machine.Discovered(bmc.Id, "/redfish/v1/Systems/1", now);
        machine.ApplyFacts(new MachineFacts("/redfish/v1/Systems/1", uuid, serial, "QEMU", "Standard PC", "x86_64", "Legacy", "SeaBIOS",
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
        return (deployment.Id, deployment.Token);
    });

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await TestPostgres.DropDatabaseAsync(_connectionString);
        Directory.Delete(_dataDirectory, recursive: true);
        Directory.Delete(_bootFiles, recursive: true);
    }
}
