using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Auditing;
using Portal.Core.Provisioning;
using Portal.Netboot.Serving;
using Portal.Netboot.Templates;
using Portal.TestSupport;

namespace Portal.Netboot.Tests.Serving;

/// <summary>
/// Renders use one template set until a template changes: saved here (the next render has it at once)
/// or written by anyone else (announced by the database, migration 0024), without asking the database
/// for the set's version at every render of a boot storm.
/// </summary>
public sealed class TemplateSetCacheTests : IAsyncLifetime
{
    private PortalHost portal = default!;

    public async Task InitializeAsync()
    {
        portal = await PortalHost.StartAsync(_ => { });
        var directory = portal.Services.GetRequiredService<BootDirectory>();
        await Eventually.TrueAsync(() => directory.IsLive, "the netboot change feed to be live", TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync() => await portal.DisposeAsync();

    private Task<TemplateSet> CurrentAsync() => portal.WithDbAsync(db => portal.Services.GetRequiredService<TemplateSetCache>().GetAsync(db));

    [Fact]
    public async Task WithNothingEditedEveryRenderGetsTheSameSet() =>
        Assert.Same(await CurrentAsync(), await CurrentAsync());

    [Fact]
    public async Task ASnippetSavedHereIsRenderedByTheVeryNextRender()
    {
        var before = await CurrentAsync();
        await portal.WithDbAsync(db =>
        {
            db.Templates.Add(Template.Create(TemplateKind.Snippet, "kickstart-network", "network --bootproto=dhcp # saved here", new Actor(null, "test"), DateTimeOffset.UtcNow));
            return db.SaveChangesAsync();
        });

        var after = await CurrentAsync();

        Assert.NotSame(before, after);
        Assert.Equal("network --bootproto=dhcp # saved here", after.SnippetText("kickstart-network"));
    }

    [Fact]
    public async Task AVersionWrittenInSqlIsRenderedOnceTheDatabaseAnnouncesIt()
    {
        await portal.WithDbAsync(db => db.Database.ExecuteSqlRawAsync("""
            WITH t AS (INSERT INTO "Templates" ("Kind", "Name", "CreatedAt") VALUES ('Snippet', 'kickstart-network', now()) RETURNING "Id")
            INSERT INTO "TemplateVersions" ("TemplateId", "Number", "Text", "AuthorName", "CreatedAt")
            SELECT "Id", 1, 'network --bootproto=dhcp # from psql', 'psql', now() FROM t
            """));

        await Eventually.TrueAsync(async () => (await CurrentAsync()).SnippetText("kickstart-network") == "network --bootproto=dhcp # from psql",
            "the SQL edit to be rendered", TimeSpan.FromSeconds(10));
    }
}
