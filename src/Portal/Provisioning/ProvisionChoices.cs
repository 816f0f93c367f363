using Microsoft.EntityFrameworkCore;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Reservations;

namespace Portal.Provisioning;

public sealed record ProvisionCandidate(long Id, string Name, MachineState State, string? HeldBy)
{
    /// <summary>The states Core provisions from; the form lists the others disabled, with their state.</summary>
    public bool CanStart => State is MachineState.Reserved or MachineState.Deployed;
}

public sealed record ProfileChoice(long Id, string Name, IReadOnlyDictionary<string, string> Defaults);

/// <summary>The machines and profiles the provision form offers.</summary>
public sealed record ProvisionChoices(IReadOnlyList<ProvisionCandidate> Machines, IReadOnlyList<ProfileChoice> Profiles)
{
    /// <summary>
    /// The machines <paramref name="who"/> holds, plus — for Operators, who may provision any held
    /// machine — the <paramref name="requested"/> ones someone else holds.
    /// </summary>
    public static async Task<ProvisionChoices> LoadAsync(AppDbContext db, Requester who, IReadOnlyCollection<long> requested, CancellationToken ct)
    {
        var ids = who.IsOperator ? requested.ToList() : [];
        var machines = await db.Machines.AsNoTracking()
            .Where(m => m.ReservedById == who.UserId || (ids.Contains(m.Id) && m.ReservedById != null))
            .OrderBy(m => m.Name).ThenBy(m => m.Id)
            .Select(m => new ProvisionCandidate(m.Id, m.Name, m.State, m.ReservedByName)).ToListAsync(ct);
        return new ProvisionChoices(machines, await ProfilesAsync(db, ct));
    }

    public static async Task<List<ProfileChoice>> ProfilesAsync(AppDbContext db, CancellationToken ct) =>
        (await db.OsProfiles.AsNoTracking().OrderBy(p => p.Name).ToListAsync(ct))
            .Select(p => new ProfileChoice(p.Id, p.Name, p.DefaultParameters)).ToList();
}
