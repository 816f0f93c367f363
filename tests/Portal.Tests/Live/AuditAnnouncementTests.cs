using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Auditing;
using Portal.Core.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Live;

/// <summary>"audit" goes out once audit events are visible to the pages it makes reload, not before.</summary>
public sealed class AuditAnnouncementTests(PortalFactory portal) : IClassFixture<PortalFactory>
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(700);

    [Fact]
    public async Task AnAuditEventSavedOutsideATransactionIsAnnouncedAtOnce()
    {
        using var heard = await HeardTopics.OnceListeningAsync(portal);
        await using var scope = portal.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();

        db.AuditEvents.Add(Event("saved on its own"));
        await db.SaveChangesAsync();

        await heard.HeardAsync("audit");
    }

    [Fact]
    public async Task AnAuditEventSavedInsideATransactionIsAnnouncedOnlyWhenTheTransactionCommits()
    {
        using var heard = await HeardTopics.OnceListeningAsync(portal);
        await using var scope = portal.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();

        db.AuditEvents.Add(Event("saved in a transaction"));
        await db.SaveChangesAsync();
        await Task.Delay(Quiet);
        Assert.DoesNotContain("audit", heard.Topics);

        await transaction.CommitAsync();
        await heard.HeardAsync("audit");
    }

    [Fact]
    public async Task AnAuditEventWhoseTransactionRollsBackIsNeverAnnounced()
    {
        using var heard = await HeardTopics.OnceListeningAsync(portal);
        await using var scope = portal.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            db.AuditEvents.Add(Event("rolled back"));
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }

        // A later commit in the same context must not announce the rolled-back save either.
        await using (var later = await db.Database.BeginTransactionAsync()) await later.CommitAsync();
        await Task.Delay(Quiet);
        Assert.DoesNotContain("audit", heard.Topics);
    }

    private static AuditEvent Event(string summary) =>
        AuditEvent.Record(Actor.System, "test.announce", "test", null, summary, DateTimeOffset.UtcNow);
}
