using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Core.Auditing;
using Portal.Core.Persistence;

namespace Portal.EndToEnd;

/// <summary>Two Portal instances on one database: what one writes shows in a page the other serves.</summary>
public sealed class LiveAcrossInstancesTests(PortalServer first, Browser browser) : IClassFixture<PortalServer>, IClassFixture<Browser>
{
    [Fact]
    public async Task AChangeWrittenByAnotherInstanceAppearsInAnOpenPageWithoutAReload()
    {
        var second = PortalServer.SecondInstanceOf(first);
        await second.InitializeAsync();
        try { await ShowsWhatTheSecondWritesAsync(second); }
        finally { await second.DisposeAsync(); } // IAsyncLifetime's: also removes its data folder
    }

    private async Task ShowsWhatTheSecondWritesAsync(PortalServer second)
    {
        var page = await browser.Instance.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        await SignIn.AsAdminAsync(page, first);
        await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-state", "live");
        await Assertions.Expect(page.Locator("#recent-activity")).ToBeVisibleAsync();
        await page.EvaluateAsync("window.__stillTheSamePage = true");

        using (var scope = second.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            db.AuditEvents.Add(AuditEvent.Record(Actor.System, "test.elsewhere", "test", "1", "Written by the second instance", DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
        }

        await Assertions.Expect(page.Locator("#recent-activity")).ToContainTextAsync("Written by the second instance");
        Assert.True(await page.EvaluateAsync<bool>("window.__stillTheSamePage === true"));
    }
}
