using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Portal.Core.Auditing;

namespace Portal.Core.Live;

/// <summary>
/// Announces "audit" once audit events are committed, whoever wrote them, so the audit log and the
/// dashboard's activity are live without every writer remembering to publish. The notification goes
/// out on a connection of its own, so it must not go before the data is visible: a save inside an
/// explicit transaction is announced when that transaction commits (and not at all on a rollback).
/// </summary>
internal sealed class AuditLiveInterceptor(ILiveUpdates live) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    // One interceptor per scope, and a scope (a circuit) may hold several contexts from the factory:
    // what is pending is kept per context.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbContext, object> _pending = new();
    // Contexts whose audit events were saved inside a transaction that has not ended yet.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbContext, object> _awaitingCommit = new();

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
        if (Take(eventData.Context) && !DeferredToCommit(eventData.Context!)) await live.ChangedAsync("audit", ct);
        return result;
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (Take(eventData.Context) && !DeferredToCommit(eventData.Context!)) _ = live.ChangedAsync("audit");
        return result;
    }

    public async Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken ct = default)
    {
        if (eventData.Context is { } context && _awaitingCommit.Remove(context)) await live.ChangedAsync("audit", ct);
    }

    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is { } context && _awaitingCommit.Remove(context)) _ = live.ChangedAsync("audit");
    }

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken ct = default)
    {
        TransactionRolledBack(transaction, eventData);
        return Task.CompletedTask;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is { } context) _awaitingCommit.Remove(context);
    }

    private bool DeferredToCommit(DbContext context)
    {
        if (context.Database.CurrentTransaction is null) return false;
        _awaitingCommit.AddOrUpdate(context, true);
        return true;
    }

    private void Note(DbContext? context)
    {
        if (context is null) return;
        if (context.ChangeTracker.Entries<AuditEvent>().Any(e => e.State == EntityState.Added)) _pending.AddOrUpdate(context, true);
        else _pending.Remove(context);
    }

    private bool Take(DbContext? context) => context is not null && _pending.Remove(context);
}
