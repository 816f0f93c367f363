using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Persistence;
using Portal.Tests.Support;
using static Portal.Tests.Netboot.NetbootTestData;

namespace Portal.Tests.Netboot;

/// <summary>
/// The per-machine script is answered from an in-memory directory; these check that it never lags
/// behind the database: changes saved by the Portal count from the next request, changes made behind
/// its back (psql, another instance) arrive through the database's notifications.
/// </summary>
public sealed class BootDirectoryTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task AMachineThatStartsProvisioningGetsItsInstallerOnItsVeryNextRequest()
    {
        var (mac, uuid, serial) = NewIdentity();
        var machineId = await factory.CreateMachineAsync(mac, uuid, serial);
        await factory.WaitForBootDirectoryAsync();
        var client = factory.CreateClient();
        await WaitUntilAsync(client, ScriptUrl(mac, uuid, serial), $"machine {machineId} is Available");

        var (deploymentId, _) = await factory.StartDeploymentAsync(machineId);
        var script = await client.GetStringAsync(ScriptUrl(mac, uuid, serial));

        Assert.Contains($"# Portal installer: deployment {deploymentId}, machine {machineId}", script);
    }

    [Fact]
    public async Task AMachineWhoseInstallFinishedBootsItsLocalDiskOnItsVeryNextRequest()
    {
        var (mac, uuid, serial) = NewIdentity();
        var machineId = await factory.CreateMachineAsync(mac, uuid, serial);
        var (_, token) = await factory.StartDeploymentAsync(machineId);
        await factory.WaitForBootDirectoryAsync();
        var client = factory.CreateClient();
        Assert.Contains("# Portal installer", await client.GetStringAsync(ScriptUrl(mac, uuid, serial)));
        await client.InstallerStartsAsync(token);

        (await client.PostEventAsync(token, """{"phase":"done","message":"installed"}""")).EnsureSuccessStatusCode();
        var script = await client.GetStringAsync(ScriptUrl(mac, uuid, serial));

        Assert.Contains($"(machine {machineId} is Deployed, not being provisioned)", script);
    }

    [Fact]
    public async Task AMachineAddedByThePortalIsKnownOnItsFirstRequest()
    {
        await factory.WaitForBootDirectoryAsync();
        var (mac, uuid, serial) = NewIdentity();

        var machineId = await factory.CreateMachineAsync(mac, uuid, serial);
        var script = await factory.CreateClient().GetStringAsync(ScriptUrl(mac, uuid, serial));

        Assert.Contains($"machine {machineId} is Available", script);
    }

    [Fact]
    public async Task AStateChangedDirectlyInTheDatabaseReachesTheDirectory()
    {
        var (mac, uuid, serial) = NewIdentity();
        var machineId = await factory.CreateMachineAsync(mac, uuid, serial);
        await factory.WaitForBootDirectoryAsync();
        var client = factory.CreateClient();
        await WaitUntilAsync(client, ScriptUrl(mac, uuid, serial), $"machine {machineId} is Available");

        await SqlAsync($"""UPDATE "Machines" SET "State" = 'Maintenance' WHERE "Id" = {machineId}""");

        await WaitUntilAsync(client, ScriptUrl(mac, uuid, serial), $"machine {machineId} is Maintenance");
    }

    [Fact]
    public async Task ADeploymentStartedByAnotherWriterReachesTheDirectoryAndGetsTheInstaller()
    {
        var (mac, uuid, serial) = NewIdentity();
        var machineId = await factory.CreateMachineAsync(mac, uuid, serial);
        await factory.WaitForBootDirectoryAsync();
        var client = factory.CreateClient();
        await WaitUntilAsync(client, ScriptUrl(mac, uuid, serial), $"machine {machineId} is Available");

        // Another Portal instance: its own DbContext outside this host, so only the database's notification tells this one.
        var options = new DbContextOptionsBuilder<AppDbContext>().UseNpgsql(factory.ConnectionString).Options;
        await using (var other = new AppDbContext(options))
        {
            var machine = await other.Machines.SingleAsync(m => m.Id == machineId);
            var profile = await other.OsProfiles.SingleAsync(p => p.Name == "Lab installer");
            var user = await other.Users.FirstAsync();
            other.Deployments.Add(Portal.Core.Provisioning.Deployment.Start(machine, user.Id, profile, "web-01", [], null, new Dictionary<string, string>(), DateTimeOffset.UtcNow));
            await other.SaveChangesAsync();
        }

        await WaitUntilAsync(client, ScriptUrl(mac, uuid, serial), "# Portal installer");
    }

    [Fact]
    public async Task AMacMovedToAnotherMachineDirectlyInTheDatabaseResolvesToItsNewMachine()
    {
        var (mac, uuid, serial) = NewIdentity();
        var first = await factory.CreateMachineAsync(mac, uuid, serial);
        var (otherMac, otherUuid, otherSerial) = NewIdentity();
        var second = await factory.CreateMachineAsync(otherMac, otherUuid, otherSerial);
        await factory.WaitForBootDirectoryAsync();
        var client = factory.CreateClient();
        var url = $"/netboot/machine.ipxe?mac={mac}";
        await WaitUntilAsync(client, url, $"machine {first} is Available");

        await SqlAsync($$"""UPDATE "Machines" SET "Nics" = '[]' WHERE "Id" = {{first}}""");
        await SqlAsync($$"""UPDATE "Machines" SET "Nics" = '[{"Mac": "{{mac}}", "Name": "eth1", "SpeedMbps": 1000}]' WHERE "Id" = {{second}}""");

        await WaitUntilAsync(client, url, $"machine {second} is Available");
    }

    /// <summary>A change behind the Portal's back, as psql would make it.</summary>
    private async Task SqlAsync(string sql)
    {
        await using var conn = new Npgsql.NpgsqlConnection(factory.ConnectionString);
        await conn.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Asks until the script contains <paramref name="expected"/>; the limit only guards against a hang.</summary>
    private static async Task WaitUntilAsync(HttpClient client, string url, string expected)
    {
        var last = "";
        for (var waited = 0; waited < 30_000; waited += 20)
        {
            last = await client.GetStringAsync(url);
            if (last.Contains(expected, StringComparison.Ordinal)) return;
            await Task.Delay(20);
        }
        Assert.Fail($"Still not '{expected}' after 30 s; last answer:\n{last}");
    }
}
