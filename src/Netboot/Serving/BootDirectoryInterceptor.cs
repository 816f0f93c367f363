using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Portal.Core.Machines;
using Portal.Core.Provisioning;

namespace Portal.Netboot.Serving;

/// <summary>
/// Makes this process's own changes visible to the <see cref="BootDirectory"/> at once, instead of
/// milliseconds later when the commit's notification arrives: before a save that changes a machine's
/// state, its active deployment, or any identity, those machines become suspect (asked of the
/// database); once the save's transaction has ended they are re-read and the suspicion is lifted.
/// One instance per DbContext (scoped), like the audit interceptor.
/// </summary>
internal sealed class BootDirectoryInterceptor(BootDirectory directory, TemplateSetCache templates) : SaveChangesInterceptor, IDbTransactionInterceptor, IDisposable
{
    // A template edit being saved: renders re-check the set's version before and after it commits (its notification comes later).
    private bool _templatesSaving, _templatesInTransaction;

    private readonly List<Saved> _inTransaction = [];
    private Saved? _saving;

    private sealed record Saved(BootDirectory.PendingChange Change, List<EntityEntry> Entries, bool Sightings);

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Begin(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken ct = default)
    {
        Begin(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result) { End(eventData.Context); return result; }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken ct = default)
    {
        End(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => End(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken ct = default) { End(eventData.Context); return Task.CompletedTask; }

    public override void SaveChangesCanceled(DbContextEventData eventData) => End(eventData.Context);

    public override Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken ct = default) { End(eventData.Context); return Task.CompletedTask; }

    // A transaction the caller opened ends: what was saved in it is now committed (or gone).
    public void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => SettleTransaction();
    public Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken ct = default) { SettleTransaction(); return Task.CompletedTask; }
    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => SettleTransaction();
    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken ct = default) { SettleTransaction(); return Task.CompletedTask; }
    public void TransactionFailed(DbTransaction transaction, TransactionErrorEventData eventData) => SettleTransaction();
    public Task TransactionFailedAsync(DbTransaction transaction, TransactionErrorEventData eventData, CancellationToken ct = default) { SettleTransaction(); return Task.CompletedTask; }

    /// <summary>A transaction disposed without commit or rollback (an exception) ends with its DbContext's scope.</summary>
    public void Dispose()
    {
        if (_saving is { } saving) Settle(saving);
        _saving = null;
        SettleTransaction();
    }

    private void Begin(DbContext? context)
    {
        if (context is null) return;
        var ids = new HashSet<long>();
        var entries = new List<EntityEntry>();
        bool identity = false, sightings = false;
        foreach (var entry in context.ChangeTracker.Entries())
        {
            if (entry.State is EntityState.Unchanged or EntityState.Detached) continue;
            switch (entry.Entity)
            {
                case Machine machine:
                    entries.Add(entry);
                    if (entry.State is EntityState.Added or EntityState.Deleted
                        || entry.Property(nameof(Machine.Uuid)).IsModified || entry.Property(nameof(Machine.Serial)).IsModified)
                        identity = true;
                    if (machine.Id > 0 && (entry.State != EntityState.Modified || entry.Property(nameof(Machine.State)).IsModified || identity))
                        ids.Add(machine.Id);
                    break;
                case MachineNic:
                    identity = true; // a NIC list changed; its owner is among the Machine entries
                    break;
                case Deployment deployment:
                    if (entry.State is EntityState.Added or EntityState.Deleted
                        || entry.Property(nameof(Deployment.State)).IsModified || entry.Property(nameof(Deployment.MachineId)).IsModified)
                    {
                        entries.Add(entry);
                        ids.Add(deployment.MachineId);
                        if (entry.Property(nameof(Deployment.MachineId)).OriginalValue is long before) ids.Add(before);
                    }
                    break;
                case Template or TemplateVersion:
                    _templatesSaving = true;
                    break;
                case NetbootSighting:
                    if (entry.State is EntityState.Added or EntityState.Deleted
                        || entry.Property(nameof(NetbootSighting.MachineId)).IsModified || entry.Property(nameof(NetbootSighting.Key)).IsModified)
                        identity = sightings = true;
                    break;
            }
        }
        if (_templatesSaving) templates.Invalidate();
        if (ids.Count == 0 && !identity) return;
        // A failed earlier save may have left one open; it is settled like any other.
        if (_saving is { } stale) Settle(stale);
        _saving = new Saved(directory.Suspect(ids, identity), entries, sightings);
    }

    private void End(DbContext? context)
    {
        if (_templatesSaving)
        {
            _templatesSaving = false;
            if (context?.Database.CurrentTransaction is null) templates.Invalidate();
            else _templatesInTransaction = true;
        }
        if (_saving is not { } saving) return;
        _saving = null;
        if (context?.Database.CurrentTransaction is null) Settle(saving);
        else _inTransaction.Add(saving);
    }

    private void SettleTransaction()
    {
        if (_templatesInTransaction) templates.Invalidate();
        _templatesInTransaction = false;
        foreach (var saved in _inTransaction) Settle(saved);
        _inTransaction.Clear();
    }

    // After the save, added machines have their ids; re-read those too.
    private void Settle(Saved saved) =>
        directory.Settle(saved.Change, saved.Entries.Select(e => e.Entity switch
        {
            Machine m => m.Id,
            Deployment d => d.MachineId,
            _ => 0L,
        }).Where(id => id > 0), saved.Sightings);
}
