using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Portal.Activity;
using Portal.Core.Auditing;
using Portal.Core.Live;
using Portal.Core.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

public sealed class HomeTests(PortalFactory portal) : ComponentTest(portal), IClassFixture<PortalFactory>
{
    [Fact]
    public void SaysPasswordChangedOnceWhenTheChangePasswordPageSentUsHere()
    {
        SignIn("u-home", "home@test.local", "Admin");
        Services.GetRequiredService<NavigationManager>().NavigateTo("/?password-changed=1");
        var home = RenderInteractive<Home>();
        home.WaitForAssertion(() => Assert.Contains("Password changed.", Snackbars));
        Assert.Contains("Welcome, home@test.local", home.Markup);
    }

    [Fact]
    public async Task RecentActivityShowsAChangeMadeAfterThePageOpened()
    {
        SignIn("u-home2", "home2@test.local", "Admin");
        var home = RenderInteractive<Home>();
        home.WaitForAssertion(() => Assert.Contains("Recent activity", home.Markup));

        using (var scope = portal.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            db.AuditEvents.Add(AuditEvent.Record(Actor.System, "test.happened", "test", "1", "Something happened elsewhere", DateTimeOffset.UtcNow));
            await db.SaveChangesAsync(); // the audit interceptor says "audit" changed
        }

        home.WaitForAssertion(() => Assert.Contains("Something happened elsewhere", home.Markup), TimeSpan.FromSeconds(10));
    }
}
