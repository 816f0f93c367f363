using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Persistence;

namespace Portal.Core.Provisioning.Workflow;

/// <summary>
/// Admission control for boot storms: a queued run starts only while fewer than the configured
/// number of runs are going, overall and for its BMC vendor. Queued runs are admitted oldest first,
/// but a run whose vendor is full does not hold up runs of other vendors behind it.
/// </summary>
public sealed class Admission(IOptions<ProvisioningOptions> options)
{
    /// <summary>Serialises admissions across jobs and Portal instances: two runs must not both take the last slot.</summary>
    private const long LockKey = 0x506f7274616c4164; // "PortalAd"

    public static readonly ProvisioningStep[] AdmittedSteps =
        Enum.GetValues<ProvisioningStep>().Where(s => s.IsAdmitted()).ToArray();

    /// <summary>
    /// Must run inside a transaction: it takes a transaction-scoped advisory lock that is held until
    /// the caller commits the run's move out of the queue. Returns null when admitted, else why not.
    /// </summary>
    public async Task<string?> DecideAsync(AppDbContext db, DeploymentWorkflow mine, string? myVendor, CancellationToken ct)
    {
        await db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock({LockKey})", ct);

        var running = await VendorsOf(db, db.DeploymentWorkflows.Where(w => AdmittedSteps.Contains(w.Step))).ToListAsync(ct);
        var ahead = await VendorsOf(db, db.DeploymentWorkflows.Where(w => w.Step == ProvisioningStep.Queued
                && (w.CreatedAt < mine.CreatedAt || (w.CreatedAt == mine.CreatedAt && w.DeploymentId < mine.DeploymentId))))
            .ToListAsync(ct);

        var o = options.Value;
        var perVendor = running.GroupBy(Key).ToDictionary(g => g.Key, g => g.Count());
        var total = running.Count;
        // Older queued runs go first, each taking a slot if it would get one.
        foreach (var vendor in ahead)
        {
            if (total >= o.MaxConcurrent) break;
            if (LimitFor(vendor) is { } limit && perVendor.GetValueOrDefault(Key(vendor)) >= limit) continue;
            total++;
            perVendor[Key(vendor)] = perVendor.GetValueOrDefault(Key(vendor)) + 1;
        }

        var waiting = ahead.Count;
        if (total >= o.MaxConcurrent)
            return $"{running.Count} of {o.MaxConcurrent} runs going (the overall limit); {Runs(waiting)} queued ahead of this one";
        if (LimitFor(myVendor) is { } mineLimit && perVendor.GetValueOrDefault(Key(myVendor)) >= mineLimit)
            return $"{running.Count(v => Key(v) == Key(myVendor))} of {mineLimit} runs going for vendor {myVendor} (the vendor's limit); {Runs(ahead.Count(v => Key(v) == Key(myVendor)))} of that vendor queued ahead";
        return null;
    }

    /// <summary>Looked up by hand: the configuration binder may not keep the dictionary's case-insensitive comparer.</summary>
    private int? LimitFor(string? vendor)
    {
        foreach (var (name, limit) in options.Value.MaxConcurrentPerVendor)
            if (string.Equals(name, vendor, StringComparison.OrdinalIgnoreCase)) return limit;
        return null;
    }

    private static string Key(string? vendor) => vendor?.ToUpperInvariant() ?? "";

    private static string Runs(int n) => n == 1 ? "1 run" : $"{n} runs";

    /// <summary>The BMC vendor of each run, in queue order (the vendor the BMC reported; null when it did not say).</summary>
    private static IQueryable<string?> VendorsOf(AppDbContext db, IQueryable<DeploymentWorkflow> workflows) =>
        from w in workflows
        join d in db.Deployments on w.DeploymentId equals d.Id
        orderby w.CreatedAt, w.DeploymentId
        select d.Machine!.Bmc!.Vendor;
}
