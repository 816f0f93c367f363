using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Portal.Core.Auditing;

namespace Portal.Core.Live;

/// <summary>
/// After a save that added audit events, tells browsers the "audit" topic changed. Every writer of
/// audit events gets live updates without remembering to send them.
/// </summary>
internal sealed class AuditLiveInterceptor(ILiveUpdates live) : SaveChangesInterceptor
{
    // One interceptor per scope, and a scope (a circuit) may hold several contexts from the factory:
    // what is pending is kept per context.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbContext, object> _pending = new();

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken ct = default)
    {
        Note(eventData.Context);
        return base.SavingChangesAsync(eventData, result, ct);
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Note(eventData.Context);
        return base.SavingChanges(eventData, result);
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken ct = default)
    {
        if (Take(eventData.Context)) await live.ChangedAsync("audit", ct);
        return result;
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (Take(eventData.Context)) _ = live.ChangedAsync("audit");
        return result;
    }

    private void Note(DbContext? context)
    {
        if (context is null) return;
        if (context.ChangeTracker.Entries<AuditEvent>().Any(e => e.State == EntityState.Added)) _pending.AddOrUpdate(context, true);
        else _pending.Remove(context);
    }

    private bool Take(DbContext? context) => context is not null && _pending.Remove(context);
}
