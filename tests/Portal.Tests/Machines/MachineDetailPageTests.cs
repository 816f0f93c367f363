using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Auditing;
using Portal.Core.Machines;
using Portal.Core.Provisioning;
using Portal.Core.Persistence;
using Portal.Core.Users;
using Portal.Machines;
using Portal.Tests.Netboot;
using Portal.Tests.Support;

namespace Portal.Tests.Machines;

/// <summary>The machine detail page and My machines in the circuit, on the real Portal's services and database.</summary>
public sealed class MachineDetailPageTests(PortalFactory portal) : MachinePageTest(portal), IClassFixture<PortalFactory>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private IRenderedComponent<MachineDetailPage> Detail(long id) => RenderPage<MachineDetailPage>(p => p.Add(x => x.Id, id));

    [Fact]
    public async Task AnUnknownMachineSaysSoInsteadOfFailing()
    {
        await SignInAsAsync("nobody-looks");
        var page = Detail(987654321);
        page.WaitForAssertion(() => Assert.Contains("No such machine", page.Find("#machine-missing").TextContent), Wait);
    }

    [Fact]
    public async Task TheDetailPageUpdatesWhenTheMachineChangesElsewhere()
    {
        var ids = await Portal.SeedMachinesAsync("detail-live", (16, 0));
        var holder = await Portal.RequesterAsync("detail-holder");
        await SignInAsAsync("detail-viewer");
        var page = Detail(ids[0]);
        page.WaitForAssertion(() => Assert.Equal("detail-live-0", page.Find("#machine-name").TextContent.Trim()), Wait);
        Assert.Empty(page.FindAll("#holder"));

        await Portal.ReserveAsync(holder, ids[0]); // announces machine:{id}

        page.WaitForAssertion(() => Assert.Equal("detail-holder@test.local", page.Find("#holder").TextContent), Wait);
        Assert.Equal("Reserved", page.Find("[data-state]").GetAttribute("data-state"));
    }

    [Fact]
    public async Task AUserWithoutTheOperatorRoleCannotPowerSomeoneElsesMachineEvenWithTheButtonOnScreen()
    {
        var ids = await Portal.SeedMachinesAsync("power-authz", (8, 0));
        var holder = await SignInAsAsync("power-holder");
        await Portal.ReserveAsync(holder, ids[0]);
        var page = Detail(ids[0]);
        page.WaitForAssertion(() => Assert.Equal(5, page.FindAll("[data-power-action]").Count), Wait);

        // The session turns into another plain user while the holder's buttons are still on screen.
        await SignInAsAsync("power-other");
        Fresh.Dispatch(() => page.Find("[data-power-action='On']").Click());

        page.WaitForAssertion(() => Assert.Contains(Snackbars, s => s.Contains("only they or an Operator", StringComparison.OrdinalIgnoreCase)), Wait);
        using var scope = Portal.Services.CreateScope();
        Assert.False(await scope.ServiceProvider.GetRequiredService<AppDbContext>().PowerOperations.AnyAsync(o => o.MachineId == ids[0]));

        // Rendered afresh for that user: no power buttons at all.
        var fresh = Detail(ids[0]);
        fresh.WaitForAssertion(() => Assert.Contains("Reserve this machine to control its power", fresh.Find("#power").TextContent), Wait);
        Assert.Empty(fresh.FindAll("[data-power-action]"));
    }

    [Fact]
    public async Task MyMachinesListsWhatIHoldAndReleasesAfterConfirming()
    {
        var ids = await Portal.SeedMachinesAsync("mine", (8, 0), (8, 0), (8, 0));
        var me = await SignInAsAsync("mine-holder");
        await Portal.ReserveAsync(me, ids[0], ids[1]);
        var page = RenderPage<MyMachinesPage>();
        page.WaitForAssertion(() => Assert.Equal(["mine-0", "mine-1"], page.FindAll("#my-machines .machine-name").Select(a => a.TextContent.Trim()).Order()), Wait);
        Assert.Contains("lapses in", page.Find("#my-machines").TextContent);

        Fresh.Dispatch(() => page.Find("button[aria-label='Release mine-0']").Click());
        ClickInDialog("Cancel");
        Assert.Equal(MachineState.Reserved, (await Portal.MachineAsync(ids[0])).State);

        Fresh.Dispatch(() => page.Find("button[aria-label='Release mine-0']").Click());
        ClickInDialog("Release");

        page.WaitForAssertion(() => Assert.Equal(["mine-1"], page.FindAll("#my-machines .machine-name").Select(a => a.TextContent.Trim())), Wait);
        Assert.Equal(MachineState.Available, (await Portal.MachineAsync(ids[0])).State);
    }

    [Theory]
    [InlineData("stranger", false)] // neither asked for the deployment nor holds the machine
    [InlineData("holder", true)]    // the machine's history is theirs to diagnose
    [InlineData("operator", true)]
    public async Task AnotherUsersDeploymentHostnameAndInstallerMessageAreInTheHistoryOnlyForThoseWhoMaySeeTheDeployment(string viewer, bool sees)
    {
        var ids = await Portal.SeedMachinesAsync("history-" + viewer, (8, 0));
        var asker = await Portal.RequesterAsync("history-asker-" + viewer);
        await Portal.WithDbAsync(async db =>
        {
            var now = DateTimeOffset.UtcNow;
            var machine = ids[0].ToString();
            db.AuditEvents.Add(AuditEvent.Record(asker.Actor, "machine.power-requested", "machine", machine, "history: On requested", now));
            db.AuditEvents.Add(AuditEvent.Record(asker.Actor, "deployment.started", "machine", machine, "Deployment 1 (secret-host.lab) started", now));
            db.AuditEvents.Add(AuditEvent.Record(Actor.System, "deployment.failed", "machine", machine, "Deployment 1 failed: installer said disk exploded", now));
            return await db.SaveChangesAsync();
        });
        var me = await SignInAsAsync("history-" + viewer + "-viewer", viewer == "operator" ? [Roles.Operator] : []);
        if (viewer == "holder") await Portal.ReserveAsync(me, ids[0]);

        var page = Detail(ids[0]);

        page.WaitForAssertion(() => Assert.Contains("history: On requested", page.Find("#machine-history").TextContent), Wait);
        var history = page.Find("#machine-history").TextContent;
        Assert.Equal(sees, history.Contains("secret-host.lab"));
        Assert.Equal(sees, history.Contains("disk exploded"));
    }

    [Fact]
    public async Task TheMachinePageNotesAFirmwareThatBootedInAnotherModeThanTheBmcReportsAtTheLastNetboot()
    {
        var ids = await Portal.SeedMachinesAsync("mismatch", (8, 0), (8, 0));
        var me = await SignInAsAsync("mismatch-holder");
        await Portal.ReserveAsync(me, ids[0], ids[1]);
        await Portal.WithDbAsync(async db =>
        {
            var profile = await db.OsProfiles.FirstAsync(p => p.Name == "Lab installer");
            var now = DateTimeOffset.UtcNow;
            foreach (var (id, mismatched) in new[] { (ids[0], true), (ids[1], false) })
            {
                var deployment = Deployment.Start(await db.Machines.SingleAsync(m => m.Id == id), me.UserId, profile, $"m{id}.lab", [], null, new Dictionary<string, string>(), now);
                if (mismatched) deployment.RecordEvent(DeploymentEventKind.Netboot, "platform-mismatch", "The firmware booted BIOS (iPXE platform pcbios), but the BMC reports UEFI: …", null, null, now);
                deployment.RecordEvent(DeploymentEventKind.Netboot, "rendered", "Rendered the installer script (BIOS) and the lab-installer config", null, null, now);
                db.Deployments.Add(deployment);
            }
            return await db.SaveChangesAsync();
        });

        var mismatched = Detail(ids[0]);
        mismatched.WaitForAssertion(() => Assert.Contains("The firmware booted BIOS (iPXE platform pcbios), but the BMC reports UEFI", mismatched.Find("#platform-mismatch").TextContent), Wait);
        var agreed = Detail(ids[1]);
        agreed.WaitForAssertion(() => Assert.Equal("mismatch-1", agreed.Find("#machine-name").TextContent.Trim()), Wait);
        Assert.Empty(agreed.FindAll("#platform-mismatch"));
    }
}
