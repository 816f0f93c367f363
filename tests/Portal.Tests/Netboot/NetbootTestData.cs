using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Bmcs;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;
using Portal.Tests.Support;

namespace Portal.Tests.Netboot;

/// <summary>Machines and deployments made directly in the database, the way the provisioning workflow will.</summary>
internal static class NetbootTestData
{
    private static int next;

    /// <summary>A fresh locally administered MAC and matching serial/UUID, so tests sharing a database never collide.</summary>
    public static (string Mac, Guid Uuid, string Serial) NewIdentity()
    {
        var n = Interlocked.Increment(ref next) + Environment.ProcessId % 200 * 1000;
        return ($"02:6e:62:{(n >> 16) & 0xff:x2}:{(n >> 8) & 0xff:x2}:{n & 0xff:x2}", Guid.NewGuid(), $"SN-NB-{Guid.NewGuid():N}"[..16]);
    }

    public static async Task<long> CreateMachineAsync(this PortalFactory factory, string mac, Guid uuid, string serial, string bootMode = "Legacy")
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = DateTimeOffset.UtcNow;
        var bmc = Bmc.Discovered("02:bb:" + mac[6..], "127.0.0.1", 443, true, now);
        db.Bmcs.Add(bmc);
        await db.SaveChangesAsync();
        var machine = Machine.Discovered(bmc.Id, "/redfish/v1/Systems/1", now);
        machine.ApplyFacts(new MachineFacts("/redfish/v1/Systems/1", uuid, serial, "Lab", "QEMU", "x86_64", bootMode, "1.0",
            "QEMU Virtual CPU", 1, 2, 2, 512L << 20,
            [new MachineDisk("QEMU HARDDISK", "HDD", "SATA", 8L << 30, "QM0001")],
            [new MachineNic(mac, 1000, "eth0")], [], "On"), bmc.Id, now);
        db.Machines.Add(machine);
        await db.SaveChangesAsync();
        return machine.Id;
    }

    public static async Task<(long Id, string Token)> StartDeploymentAsync(this PortalFactory factory, long machineId,
        string profileName = "Lab installer", string hostname = "web-01", IReadOnlyDictionary<string, string>? parameters = null)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var machine = await db.Machines.SingleAsync(m => m.Id == machineId);
        var profile = await db.OsProfiles.SingleAsync(p => p.Name == profileName);
        var user = await db.Users.FirstAsync();
        var deployment = Deployment.Start(machine, user.Id, profile, hostname,
            ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGJ0ZXN0a2V5Zm9ycG9ydGFsbmV0Ym9vdHRlc3Rz alice@example"],
            "$6$rounds=4096$portal$Xx0GmMUvGq9QeLkO1m2ZxH6y5vVj3b8aN1cD4eF7gH0iJ2kL5mN8oP1qR4sT7uV0wX3yZ6aB9cD2eF5gH8iJ1",
            parameters ?? new Dictionary<string, string>(), DateTimeOffset.UtcNow);
        db.Deployments.Add(deployment);
        await db.SaveChangesAsync();
        return (deployment.Id, deployment.IssuedToken!);
    }

    /// <summary>Sightings are written in the background; this writes what was noted so far.</summary>
    public static Task FlushSightingsAsync(this PortalFactory factory) =>
        factory.Services.GetRequiredService<Portal.Netboot.Serving.SightingRecorder>().FlushAsync();

    /// <summary>Waits (hang guard only) until the in-memory boot directory answers, so a test exercises it rather than the database fallback.</summary>
    public static async Task WaitForBootDirectoryAsync(this PortalFactory factory)
    {
        var directory = factory.Services.GetRequiredService<Portal.Netboot.Serving.BootDirectory>();
        for (var waited = 0; !directory.IsLive; waited += 50)
        {
            if (waited > 60_000) throw new TimeoutException("The boot directory did not load.");
            await Task.Delay(50);
        }
    }

    public static async Task<T> WithDbAsync<T>(this PortalFactory factory, Func<AppDbContext, Task<T>> action)
    {
        using var scope = factory.Services.CreateScope();
        return await action(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }

    public static Task<Deployment> DeploymentAsync(this PortalFactory factory, long id) =>
        factory.WithDbAsync(db => db.Deployments.AsNoTracking().Include(d => d.Machine).SingleAsync(d => d.Id == id));

    /// <summary>A run's netboot token, as the machine holds it (the database keeps it hashed and encrypted).</summary>
    public static async Task<string> TokenOfAsync(this PortalFactory factory, long id) =>
        factory.Services.GetRequiredService<DeploymentTokens>().Reveal(await factory.DeploymentAsync(id));

    /// <summary>The timeline as "kind phase" lines, oldest first.</summary>
    public static Task<List<string>> TimelineAsync(this PortalFactory factory, long deploymentId) =>
        factory.WithDbAsync(async db => (await db.DeploymentEvents.Where(e => e.DeploymentId == deploymentId).OrderBy(e => e.Id).ToListAsync())
            .Select(e => $"{e.Kind.ToString().ToLowerInvariant()} {e.Phase}{(e.Percent is { } p ? " " + p : "")}").ToList());

    /// <summary>
    /// What a real installer does before it reports an end, after its machine fetched the script
    /// (which binds the token to the machine's address): it fetches its config and says "pre".
    /// </summary>
    public static async Task InstallerStartsAsync(this HttpClient client, string token)
    {
        (await client.GetAsync($"/netboot/config/{token}")).EnsureSuccessStatusCode();
        (await client.PostEventAsync(token, """{"phase":"pre","message":"installer started"}""")).EnsureSuccessStatusCode();
    }

    public static Task<HttpResponseMessage> PostEventAsync(this HttpClient client, string token, string json, string contentType = "application/json") =>
        client.PostAsync($"/netboot/events/{token}", new StringContent(json, Encoding.UTF8, MediaTypeHeaderValue.Parse(contentType)));

    public static string ScriptUrl(string mac, Guid uuid, string serial, string platform = "pcbios") =>
        $"/netboot/machine.ipxe?mac={Uri.EscapeDataString(mac)}&uuid={uuid:D}&serial={Uri.EscapeDataString(serial)}&buildarch=x86_64&platform={platform}";
}
