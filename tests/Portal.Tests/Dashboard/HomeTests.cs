using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Auditing;
using Portal.Core.Persistence;
using Portal.Core.Reservations;
using Portal.Core.Users;
using Portal.Dashboard;
using Portal.Tests.Netboot;
using Portal.Tests.Support;

namespace Portal.Tests.Dashboard;

public sealed class HomeTests(PortalFactory portal) : ComponentTest(portal), IClassFixture<PortalFactory>
{
    [Fact]
    public void SaysPasswordChangedOnceWhenTheChangePasswordPageSentUsHere()
    {
        SignIn("u-home", "home@test.local", Roles.Admin);
        Services.GetRequiredService<NavigationManager>().NavigateTo("/?password-changed=1");
        var home = RenderInteractive<Home>();
        home.WaitForAssertion(() => Assert.Contains("Password changed.", Snackbars));
        Assert.Contains("Welcome, home@test.local", home.Markup);
    }

    [Fact]
    public async Task RecentActivityShowsAChangeMadeAfterThePageOpened()
    {
        SignIn("u-home2", "home2@test.local", Roles.Admin);
        var home = RenderInteractive<Home>();
        home.WaitForAssertion(() => Assert.Contains("Recent activity", home.Markup));

        using (var scope = Portal.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            db.AuditEvents.Add(AuditEvent.Record(Actor.System, "test.happened", "test", "1", "Something happened elsewhere", DateTimeOffset.UtcNow));
            await db.SaveChangesAsync(); // the audit interceptor says "audit" changed
        }

        home.WaitForAssertion(() => Assert.Contains("Something happened elsewhere", home.Markup), TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData(Roles.Admin, true)]     // the audit log is theirs
    [InlineData(Roles.Operator, false)] // they act on every machine, but read only their own activity
    [InlineData(Roles.User, false)]
    public async Task RecentActivityShowsOthersActionsOnlyToAdmins(string role, bool seesOthers)
    {
        var me = await Portal.CreateUserAsync($"activity-{role}@test.local", "Activity-Passw0rd", role);
        using (var scope = Portal.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var now = DateTimeOffset.UtcNow;
            db.AuditEvents.Add(AuditEvent.Record(new Actor("someone-else", "else@test.local"), "test.theirs", "test", "1", $"Someone else's doing for {role}", now));
            db.AuditEvents.Add(AuditEvent.Record(new Actor(me.Id, me.UserName!), "test.mine", "test", "1", $"My own doing as {role}", now));
            await db.SaveChangesAsync();
        }
        SignIn(me.Id, me.UserName!, role);

        var home = RenderInteractive<Home>();

        home.WaitForAssertion(() => Assert.Contains($"My own doing as {role}", home.Find("#recent-activity").TextContent));
        Assert.Equal(seesOthers, home.Find("#recent-activity").TextContent.Contains($"Someone else's doing for {role}"));
    }

    [Fact]
    public async Task MyReservationAppearsWithItsLapseAndTheCountsFollowLive()
    {
        var me = await Portal.CreateUserAsync("holder@test.local", "Holder-Passw0rd", Roles.User);
        var (mac, uuid, serial) = NetbootTestData.NewIdentity();
        var machineId = await Portal.CreateMachineAsync(mac, uuid, serial);
        SignIn(me.Id, me.UserName!, Roles.User);
        var home = RenderInteractive<Home>();
        home.WaitForAssertion(() => Assert.Contains("You hold no machines", home.Find("#my-reservations").TextContent));
        var reservedBefore = ReservedCount(home);

        using (var scope = Portal.Services.CreateScope())
        {
            var outcome = await scope.ServiceProvider.GetRequiredService<Reservations>()
                .ReserveAsync([machineId], 4, new Requester(me.Id, me.UserName!, IsOperator: false));
            Assert.True(outcome.Succeeded, outcome.Message);
        }

        home.WaitForAssertion(() =>
        {
            var mine = home.Find("#my-reservations").TextContent;
            Assert.Contains("lapses in 3 h", mine);
            Assert.Equal(reservedBefore + 1, ReservedCount(home));
            Assert.Equal("Reserved", home.Find("[data-machine-state=Reserved] .mud-chip").TextContent.Trim());
        }, TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData(Roles.Operator, true)]
    [InlineData(Roles.User, false)]
    public async Task BmcsThatNeedAttentionAreShownToThoseWhoCanActOnThem(string role, bool shown)
    {
        var (mac, uuid, serial) = NetbootTestData.NewIdentity();
        await Portal.CreateMachineAsync(mac, uuid, serial); // its BMC is still waiting for credentials
        SignIn("u-bmc-" + role, role + "@test.local", role);
        var home = RenderInteractive<Home>();
        home.WaitForAssertion(() => Assert.NotEmpty(home.FindAll("#fleet-by-state")));
        Assert.Equal(shown, home.FindAll("#bmcs-needing-attention").Count == 1);
        if (shown) Assert.Contains("PendingCredentials", home.Find("#bmcs-needing-attention").TextContent);
    }

    private static int ReservedCount(IRenderedComponent<Home> home) =>
        home.FindAll("[data-machine-state=Reserved] a").Select(e => int.Parse(e.TextContent)).SingleOrDefault();
}
