using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Admin;
using Portal.Core.Auditing;
using Portal.Core.Persistence;
using Portal.Core.Users;
using Portal.Tests.Support;

namespace Portal.Tests.Admin;

public sealed class AuditPageTests(PortalFactory portal) : ComponentTest(portal), IClassFixture<PortalFactory>
{
    private async Task RecordAsync(int count, string action, string actor, string summary)
    {
        using var scope = Portal.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        for (var i = 0; i < count; i++)
            db.AuditEvents.Add(AuditEvent.Record(new Actor(null, actor), action, "test", i.ToString(), $"{summary} {i}", DateTimeOffset.UtcNow));
        await db.SaveChangesAsync();
    }

    private async Task<IRenderedComponent<AuditPage>> OpenAsync()
    {
        await SignInAsync(PortalFactory.AdminEmail, Roles.Admin);
        var page = RenderInteractive<AuditPage>();
        page.WaitForElement("#audit tbody tr", TimeSpan.FromSeconds(15));
        return page;
    }

    private static int Rows(IRenderedComponent<AuditPage> page) => page.FindAll("#audit tbody tr[data-audit-id]").Count;

    [Fact]
    public async Task TheAuditLogFiltersByActionAndPages()
    {
        await RecordAsync(60, "test.paged", "pager@test.local", "Paged event");
        await RecordAsync(3, "test.other", "pager@test.local", "Other event");
        var page = await OpenAsync();

        var action = page.FindComponents<MudSelect<string>>().Single(s => s.Instance.Label == "Action");
        await page.InvokeAsync(() => action.Instance.ValueChanged.InvokeAsync("test.paged"));

        page.WaitForAssertion(() => Assert.Equal(AuditPage.PageSize, Rows(page)));
        Assert.DoesNotContain("Other event", page.Markup);
        Assert.Contains("Paged event 59", page.Markup); // newest first
        Fresh.Dispatch(() => page.FindAll("button").Single(b => b.TextContent.Contains("Older")).Click());
        page.WaitForAssertion(() => Assert.Equal(10, Rows(page)));
        Assert.Contains("Paged event 0", page.Markup);
        Assert.True(page.FindAll("button").Single(b => b.TextContent.Contains("Older")).HasAttribute("disabled"));
        Fresh.Dispatch(() => page.FindAll("button").Single(b => b.TextContent.Contains("Newer")).Click());
        page.WaitForAssertion(() => Assert.Equal(AuditPage.PageSize, Rows(page)));
    }

    [Fact]
    public async Task TheAuditLogFiltersByWhoAndByText()
    {
        await RecordAsync(2, "test.who", "somebody-special@test.local", "Done by someone special");
        await RecordAsync(1, "test.who", "nobody@test.local", "Needle_in 100% haystack");
        var page = await OpenAsync();

        // Each change again if a live reload replaced the field meanwhile (other tests write audit events).
        page.WaitForAssertion(() => page.Find("#filter-actor").Change("SPECIAL"));
        page.WaitForAssertion(() => Assert.Equal(2, Rows(page)));
        page.WaitForAssertion(() => page.Find("#filter-actor").Change(""));
        page.WaitForAssertion(() => Assert.True(Rows(page) > 2));
        page.WaitForAssertion(() => page.Find("#filter-text").Change("_in 100%"));
        page.WaitForAssertion(() => Assert.Equal(1, Rows(page)));
        Assert.Contains("Needle_in 100% haystack", page.Markup);
    }

    [Fact]
    public async Task ANewEventAppearsLive()
    {
        var page = await OpenAsync();
        await RecordAsync(1, "test.live", "live@test.local", "Happened while the log was open");
        page.WaitForAssertion(() => Assert.Contains("Happened while the log was open 0", page.Markup), TimeSpan.FromSeconds(10));
    }
}
