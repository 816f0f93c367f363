using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Auditing;
using Portal.Core.Bmcs;
using Portal.Core.Discovery.Identity;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Users;
using Portal.Discovery;
using Portal.Tests.Support;

namespace Portal.Tests.Discovery;

/// <summary>
/// A system two BMCs report with one serial but different UUIDs, on the BMC list (bUnit, real Portal and
/// PostgreSQL): the conflict is shown on the reporting BMC's row, and an admin answers it either way.
/// </summary>
public sealed class IdentityConflictPageTests(PortalFactory portal) : ComponentTest(portal), IClassFixture<PortalFactory>
{
    private static int next;

    [Fact]
    public async Task AnAdminSaysSameMachineAndItMovesToTheBmcThatReportsItAudited()
    {
        var setup = await ConflictAsync();
        await SignInAsync(PortalFactory.AdminEmail, Roles.Admin);
        var page = RenderInteractive<BmcList>();

        page.WaitForAssertion(() => Assert.Equal(setup.Summary, page.Find($"{setup.Row} [data-conflict-summary]").TextContent));
        Fresh.Dispatch(() => page.Find($"{setup.Row} button[data-same-machine]").Click());

        page.WaitForAssertion(() => Assert.Empty(page.FindAll($"{setup.Row} [data-identity-conflict]")), TimeSpan.FromSeconds(10));
        var machine = await WithDbAsync(db => db.Machines.AsNoTracking().SingleAsync(m => m.Id == setup.MachineId));
        Assert.Equal((setup.ReportingBmcId, setup.ReportedUuid), (machine.BmcId, machine.Uuid));
        Assert.Equal(0, await WithDbAsync(db => db.Machines.CountAsync(m => m.Serial == setup.Serial && m.Id != setup.MachineId)));
        var audit = await WithDbAsync(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Action == "machine.identity-confirmed" && e.TargetId == setup.MachineId.ToString()));
        Assert.Equal(PortalFactory.AdminEmail, audit.ActorName);
    }

    [Fact]
    public async Task AnAdminSaysDifferentMachinesAndTheReportedSystemIsAddedAudited()
    {
        var setup = await ConflictAsync();
        await SignInAsync(PortalFactory.AdminEmail, Roles.Admin);
        var page = RenderInteractive<BmcList>();

        Fresh.Dispatch(() => page.WaitForElement($"{setup.Row} button[data-different-machines]").Click());

        page.WaitForAssertion(() => Assert.Empty(page.FindAll($"{setup.Row} [data-identity-conflict]")), TimeSpan.FromSeconds(10));
        var machines = await WithDbAsync(db => db.Machines.AsNoTracking().Where(m => m.Serial == setup.Serial).OrderBy(m => m.Id).ToListAsync());
        Assert.Equal(2, machines.Count);
        Assert.Equal(setup.KnownBmcId, machines[0].BmcId);
        Assert.Equal((setup.ReportingBmcId, setup.ReportedUuid), (machines[1].BmcId, machines[1].Uuid));
        Assert.True(await WithDbAsync(db => db.AuditEvents.AnyAsync(e => e.Action == "machine.identity-separated" && e.TargetId == machines[1].Id.ToString())));
    }

    [Fact]
    public async Task AnOperatorSeesTheConflictButNotTheAnswers()
    {
        var setup = await ConflictAsync();
        SignIn("op-identity-conflict", "op-identity-conflict@test.local", Roles.Operator);
        var page = RenderInteractive<BmcList>();

        page.WaitForAssertion(() => Assert.Equal(setup.Summary, page.Find($"{setup.Row} [data-conflict-summary]").TextContent));
        Assert.Empty(page.FindAll($"{setup.Row} button[data-same-machine]"));
        Assert.Empty(page.FindAll($"{setup.Row} button[data-different-machines]"));
    }

    private sealed record Setup(string Row, long KnownBmcId, long ReportingBmcId, long MachineId, string Serial, Guid ReportedUuid, string Summary);

    /// <summary>Machine M on BMC Y, then BMC X reports a system with M's serial and another UUID, applied by discovery's own code.</summary>
    private async Task<Setup> ConflictAsync()
    {
        var n = Interlocked.Increment(ref next) + Environment.ProcessId % 200 * 100;
        var serial = $"SN-IC-{Guid.NewGuid():N}"[..16];
        var reported = Guid.NewGuid();
        using var scope = Portal.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var y = db.Bmcs.Add(Bmc.Discovered($"02:1c:0b:{n >> 8 & 0xff:x2}:{n & 0xff:x2}:01", $"127.0.91.{n % 250 + 1}", 443, true, DateTimeOffset.UtcNow)).Entity;
        var x = db.Bmcs.Add(Bmc.Discovered($"02:1c:0b:{n >> 8 & 0xff:x2}:{n & 0xff:x2}:02", $"127.0.92.{n % 250 + 1}", 443, true, DateTimeOffset.UtcNow)).Entity;
        await db.SaveChangesAsync();
        await ApplyAsync(db, y, Facts(Guid.NewGuid(), serial));
        await ApplyAsync(db, x, Facts(reported, serial));
        var conflict = await db.IdentityConflicts.AsNoTracking().SingleAsync(c => c.BmcId == x.Id);
        return new Setup($"tr[data-bmc-mac='{x.Mac}']", y.Id, x.Id, conflict.MachineId, serial, reported, conflict.Summary);
    }

    private static async Task ApplyAsync(AppDbContext db, Bmc bmc, MachineFacts facts)
    {
        var identities = await SystemIdentities.LoadAsync(db, bmc, [facts], default);
        identities.Apply(db, bmc, [facts], Actor.System, DateTimeOffset.UtcNow);
        await db.SaveChangesAsync();
    }

    private static MachineFacts Facts(Guid uuid, string serial) => new(
        "/redfish/v1/Systems/1", uuid, serial, "Lab", "Server", "x86_64", "UEFI", "1.0", "CPU", 1, 8, 16, 32L << 30,
        [], [new MachineNic($"52:54:{Random.Shared.Next(0x1000000):x6}".Insert(8, ":").Insert(11, ":"), 10_000, "eth0")], [], "Off");

    private async Task<T> WithDbAsync<T>(Func<AppDbContext, Task<T>> read)
    {
        using var scope = Portal.Services.CreateScope();
        return await read(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }
}
