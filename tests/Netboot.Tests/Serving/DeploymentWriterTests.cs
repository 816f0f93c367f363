using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Bmcs;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;
using Portal.Netboot.Serving;

namespace Portal.Netboot.Tests.Serving;

/// <summary>
/// Fetches of many machines are stored together (<see cref="DeploymentWriter"/>): each machine still
/// has its exact files and its whole timeline, a fetch that lost a race is told so, and one machine
/// whose records cannot be stored loses nobody else's.
/// </summary>
public sealed class DeploymentWriterTests : IAsyncLifetime
{
    private PortalHost portal = null!;

    public async Task InitializeAsync() => portal = await PortalHost.StartAsync(_ => { });

    public async Task DisposeAsync() => await portal.DisposeAsync();

    private static string Mac(int i) => $"52:54:00:ee:{i / 256:x2}:{i % 256:x2}";

    /// <summary>Machines being provisioned with the lab installer: deployment id and its token, by machine index.</summary>
    private Task<List<(long Id, string Token)>> ProvisioningAsync(int count) => portal.WithDbAsync(async db =>
    {
        var now = DateTimeOffset.UtcNow;
        var bmc = Bmc.Discovered("02:bb:00:00:ee:01", "127.0.0.1", 443, true, now);
        db.Bmcs.Add(bmc);
        await db.SaveChangesAsync();
        var profile = await db.OsProfiles.SingleAsync(p => p.Name == "Lab installer");
        var user = await db.Users.FirstAsync();
        var runs = new List<(long, string)>();
        for (var i = 0; i < count; i++)
        {
            var machine = Machine.Discovered(bmc.Id, $"/redfish/v1/Systems/{i}", now);
            machine.ApplyFacts(new MachineFacts($"/redfish/v1/Systems/{i}", Guid.NewGuid(), $"SN-WRITER-{i}", "QEMU", "Standard PC", "x86_64", "UEFI", "OVMF",
                "QEMU Virtual CPU", 1, 1, 1, 512L << 20, [], [new MachineNic(Mac(i), 1000, "eth0")], [], "On"), bmc.Id, now);
            db.Machines.Add(machine);
            await db.SaveChangesAsync();
            var deployment = Deployment.Start(machine, user.Id, profile, $"writer-{i}", [], null, new Dictionary<string, string>(), now);
            db.Deployments.Add(deployment);
            await db.SaveChangesAsync();
            runs.Add((deployment.Id, deployment.IssuedToken!));
        }
        return runs;
    });

    private Task<Deployment> DeploymentAsync(long id) =>
        portal.WithDbAsync(db => db.Deployments.AsNoTracking().Include(d => d.Events).SingleAsync(d => d.Id == id));

    [Fact]
    public async Task MachinesFetchingAtOnceEachHaveTheirExactFilesAndWholeTimelineStored()
    {
        var runs = await ProvisioningAsync(60);
        var writer = portal.Services.GetRequiredService<DeploymentWriter>();
        using var firmware = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{portal.Port}") };

        var served = await Task.WhenAll(runs.Select(async (_, i) =>
        {
            var script = await firmware.GetStringAsync($"/netboot/machine.ipxe?mac={Mac(i)}&platform=efi");
            var config = await firmware.GetStringAsync(new Uri(Regex.Match(script, @"portal\.ks=(\S+)").Groups[1].Value).PathAndQuery);
            return (script, config);
        }));

        for (var i = 0; i < runs.Count; i++)
        {
            var deployment = await DeploymentAsync(runs[i].Id);
            Assert.Equal(served[i].script, deployment.ServedScript(runs[i].Token));
            Assert.Equal(served[i].config, deployment.ServedConfig(runs[i].Token));
            Assert.Equal("127.0.0.1", deployment.ScriptFetchedFrom);
            Assert.NotNull(deployment.ConfigFetchedAt);
            Assert.Equal(["rendered", "script", "config"], deployment.Events.Where(e => e.Kind == DeploymentEventKind.Netboot).OrderBy(e => e.Id).Select(e => e.Phase));
        }
        Assert.True(writer.Written >= 2 * runs.Count, $"{writer.Written} fetches stored by the writer");
        Assert.True(writer.Batches < writer.Written, $"{writer.Written} fetches in {writer.Batches} transactions: none shared one");
        var fetches = portal.Services.GetRequiredService<DeploymentFetches>();
        Assert.Equal(0, fetches.Alone);
        Assert.True(fetches.Batches < fetches.Fetched, $"{fetches.Fetched} fetches loaded in {fetches.Batches} batches: none shared one");
    }

    /// <summary>One context per request, as the endpoints have: the deployment loaded, then what the fetch did to it.</summary>
    private async Task<DeploymentWriter.Unit> UnitAsync(IServiceScope scope, long id, Action<Deployment> change)
    {
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var deployment = await db.Deployments.SingleAsync(d => d.Id == id);
        change(deployment);
        return DeploymentWriter.Unit.From(db) ?? throw new InvalidOperationException("not a writer's change");
    }

    [Fact]
    public async Task ADeploymentWhoseRecordsCannotBeStoredLosesNoOtherDeploymentsRecordsAndGetsTheError()
    {
        var runs = await ProvisioningAsync(5);
        var writer = portal.Services.GetRequiredService<DeploymentWriter>();
        var scopes = runs.Select(_ => portal.Services.CreateScope()).ToList();
        var units = new List<DeploymentWriter.Unit>();
        for (var i = 0; i < runs.Count; i++)
        {
            var facts = i == 2 ? "{ not json" : """{"cpus": 4}"""; // the database refuses the third one's jsonb
            units.Add(await UnitAsync(scopes[i], runs[i].Id, d =>
            {
                d.ScriptServedTo("127.0.0.1");
                d.RecordEvent(DeploymentEventKind.Installer, "pre", "facts", null, facts, DateTimeOffset.UtcNow);
            }));
        }

        await writer.StoreBatchAsync([.. units]);

        for (var i = 0; i < runs.Count; i++)
        {
            var deployment = await DeploymentAsync(runs[i].Id);
            if (i == 2)
            {
                await Assert.ThrowsAnyAsync<Exception>(() => units[i].Done.Task);
                Assert.Null(deployment.ScriptFetchedFrom);
                Assert.DoesNotContain(deployment.Events, e => e.Phase == "pre");
                continue;
            }
            Assert.True(await units[i].Done.Task);
            Assert.Equal("127.0.0.1", deployment.ScriptFetchedFrom);
            Assert.Single(deployment.Events, e => e.Phase == "pre");
        }
        foreach (var scope in scopes) scope.Dispose();
    }

    [Fact]
    public async Task RunsChangedInDifferentWaysAndOneWithOnlyNewEventsAreStoredTogetherEachAsItWas()
    {
        var runs = await ProvisioningAsync(3);
        var writer = portal.Services.GetRequiredService<DeploymentWriter>();
        var scopes = runs.Select(_ => portal.Services.CreateScope()).ToList();
        var at = DateTimeOffset.UtcNow;
        const string facts = """{"cpus": 4}""";
        var units = new[]
        {
            await UnitAsync(scopes[0], runs[0].Id, d => { d.ScriptServedTo("127.0.0.1"); d.RecordEvent(DeploymentEventKind.Netboot, "script", "served", null, null, at); }),
            await UnitAsync(scopes[1], runs[1].Id, d =>
            {
                d.RecordEvent(DeploymentEventKind.Installer, "pre", "first", 5, facts, at);
                d.RecordEvent(DeploymentEventKind.Installer, "progress", "second", 10, null, at);
            }),
            await UnitAsync(scopes[2], runs[2].Id, d => { d.ConfigServed(at); d.RecordEvent(DeploymentEventKind.Netboot, "config", "served", null, null, at); }),
        };

        await writer.StoreBatchAsync([.. units]);

        foreach (var unit in units) Assert.True(await unit.Done.Task);
        var (script, events, config) = (await DeploymentAsync(runs[0].Id), await DeploymentAsync(runs[1].Id), await DeploymentAsync(runs[2].Id));
        Assert.Equal("127.0.0.1", script.ScriptFetchedFrom);
        Assert.Null(script.ConfigFetchedAt);
        Assert.Null(events.ScriptFetchedFrom);
        Assert.Equal(["first", "second"], events.Events.Where(e => e.Kind == DeploymentEventKind.Installer).OrderBy(e => e.Id).Select(e => e.Message));
        Assert.Equal(facts, events.Events.Single(e => e.Message == "first").FactsJson);
        Assert.NotNull(config.ConfigFetchedAt);
        Assert.Null(config.ScriptFetchedFrom);
        Assert.Single(config.Events, e => e.Phase == "config");
        foreach (var scope in scopes) scope.Dispose();
    }

    [Fact]
    public async Task OfTwoFetchesChangingOneDeploymentAtOnceOneIsStoredAndTheOtherToldItLost()
    {
        var (id, _) = (await ProvisioningAsync(1))[0];
        var writer = portal.Services.GetRequiredService<DeploymentWriter>();
        using var first = portal.Services.CreateScope();
        using var second = portal.Services.CreateScope();
        var units = new[]
        {
            await UnitAsync(first, id, d => { d.ScriptServedTo("127.0.0.1"); d.RecordEvent(DeploymentEventKind.Netboot, "script", "first", null, null, DateTimeOffset.UtcNow); }),
            await UnitAsync(second, id, d => { d.ScriptServedTo("127.0.0.2"); d.RecordEvent(DeploymentEventKind.Netboot, "script", "second", null, null, DateTimeOffset.UtcNow); }),
        };

        await writer.StoreBatchAsync([.. units]);

        Assert.True(await units[0].Done.Task);
        Assert.False(await units[1].Done.Task);
        var deployment = await DeploymentAsync(id);
        Assert.Equal("127.0.0.1", deployment.ScriptFetchedFrom);
        Assert.Equal(["first"], deployment.Events.Where(e => e.Phase == "script").Select(e => e.Message));
    }
}
