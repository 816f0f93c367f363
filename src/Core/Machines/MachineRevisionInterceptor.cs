using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Portal.Core.Machines;

/// <summary>
/// Counts up <see cref="Machine.Revision"/> on every save that changes a decision about a machine:
/// its lifecycle state, who holds it and until when, maintenance, tags. Those saves check the
/// revision they read, so of two people racing for a machine exactly one wins. What is only
/// observed in the background (power state and its check time, hardware facts, timestamps) leaves
/// the revision alone, so a power refresh between reading and saving never fails someone's reserve,
/// deploy, cancel or release (PostgreSQL's xmin, used before, changed with every write of the row).
/// </summary>
internal sealed class MachineRevisionInterceptor : SaveChangesInterceptor
{
    private static readonly HashSet<string> Decisions =
    [
        nameof(Machine.State), nameof(Machine.ReservedById), nameof(Machine.ReservedByName), nameof(Machine.ReservedAt),
        nameof(Machine.ReservedUntil), nameof(Machine.MaintenanceReason), nameof(Machine.Tags),
    ];

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Count(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Count(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private static void Count(DbContext? context)
    {
        if (context is null) return;
        context.ChangeTracker.DetectChanges();
        foreach (var entry in context.ChangeTracker.Entries<Machine>())
        {
            if (entry.State != EntityState.Modified || !entry.Properties.Any(p => p.IsModified && Decisions.Contains(p.Metadata.Name))) continue;
            var revision = entry.Property(m => m.Revision);
            revision.CurrentValue = revision.OriginalValue + 1;
        }
    }
}
