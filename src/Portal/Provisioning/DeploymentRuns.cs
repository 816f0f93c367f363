using Microsoft.EntityFrameworkCore;
using Portal.Core.Persistence;
using Portal.Core.Provisioning.Workflow;
using Portal.Core.Reservations;

namespace Portal.Provisioning;

/// <summary>What became of one machine of a provision request.</summary>
public sealed record ProvisionResult(long MachineId, string MachineName, string Hostname, long? DeploymentId, OutcomeStatus Status, string Message)
{
    public bool Started => DeploymentId is not null;
}

/// <summary>
/// Starts, cancels, retries and releases runs for the pages and the API, each Core call in a DI scope of its own. Starting several machines runs one deployment
/// per machine, with the same profile, keys and parameters, and reports each machine's outcome: a
/// refused machine never stops the others, and none is left out of the answer.
/// </summary>
internal sealed class DeploymentRuns(AppDbContext db, IServiceScopeFactory scopes)
{
    public sealed record Target(long MachineId, string MachineName, string Hostname);

    /// <summary>Names for the ids, in the order given, duplicates dropped; an unknown id is named "machine 42" (Core says it does not exist).</summary>
    public async Task<List<(long Id, string Name)>> NamesAsync(IEnumerable<long> ids, CancellationToken ct)
    {
        var distinct = ids.Distinct().ToList();
        var names = await db.Machines.AsNoTracking().Where(m => distinct.Contains(m.Id)).ToDictionaryAsync(m => m.Id, m => m.Name, ct);
        return distinct.Select(id => (id, names.GetValueOrDefault(id) ?? $"machine {id}")).ToList();
    }

    public async Task<List<ProvisionResult>> StartAsync(IReadOnlyList<Target> targets, long profileId, IReadOnlyList<string> sshKeys,
        IReadOnlyDictionary<string, string> parameters, Requester who, CancellationToken ct)
    {
        var results = new List<ProvisionResult>(targets.Count);
        foreach (var target in targets)
        {
            // A scope per machine: a start that lost a race leaves its entities in the DbContext, and the next machine must not save them.
            await using var scope = scopes.CreateAsyncScope();
            var provisioning = scope.ServiceProvider.GetRequiredService<ProvisioningService>();
            var started = await provisioning.StartAsync(new DeploymentRequest(target.MachineId, profileId, target.Hostname, sshKeys, parameters), who, ct);
            results.Add(new ProvisionResult(target.MachineId, target.MachineName, target.Hostname, started.DeploymentId, started.Outcome.Status, started.Outcome.Message));
        }
        return results;
    }

    /// <summary>Cancels (Core retries a cancel that lost a race with a step saving in the same instant).</summary>
    public async Task<Outcome> CancelAsync(long deploymentId, Requester who, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ProvisioningService>().CancelAsync(deploymentId, who, ct);
    }

    /// <summary>Starts a failed run again as a new deployment (its id is in the answer).</summary>
    public async Task<ProvisioningService.Started> RetryAsync(long deploymentId, Requester who, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ProvisioningService>().RetryAsync(deploymentId, who, ct);
    }

    /// <summary>Gives the machine back through a release run (optionally wiping it with <paramref name="wipeProfileId"/>).</summary>
    public async Task<ProvisioningService.Started> ReleaseAsync(long machineId, long? wipeProfileId, Requester who, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ProvisioningService>().ReleaseAsync(machineId, wipeProfileId, who, ct);
    }
}
