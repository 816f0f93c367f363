using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Bmcs;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Reservations;
using Portal.Core.Users;
using Portal.Tests.Support;

namespace Portal.Tests.Machines;

/// <summary>Machines and users for the machine tests, straight into the database (as discovery would leave them).</summary>
public static class MachineSeed
{
    public const string Password = "User-Passw0rd-1";

    /// <summary>Machines tagged <paramref name="prefix"/> and named "{prefix}-{n}", one per shape, behind one BMC.</summary>
    public static async Task<List<long>> SeedMachinesAsync(this PortalFactory factory, string prefix, params (int Cores, int Gpus)[] shapes)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = DateTimeOffset.UtcNow;
        var bmc = Bmc.Discovered($"02:aa:00:00:{Random.Shared.Next(256):x2}:{Random.Shared.Next(256):x2}", "127.0.0.1", 443, true, now);
        db.Bmcs.Add(bmc);
        await db.SaveChangesAsync();
        var machines = shapes.Select((s, i) =>
        {
            var m = Machine.Discovered(bmc.Id, $"/redfish/v1/Systems/{i}", now);
            m.ApplyFacts(new MachineFacts($"/redfish/v1/Systems/{i}", Guid.NewGuid(), $"{prefix}-{i}", "Dell Inc.", "R750", "x86_64", "UEFI", "1", "AMD EPYC 7763",
                1, s.Cores, s.Cores * 2, 256L << 30, [new MachineDisk("d", "SSD", "NVMe", 960_000_000_000, null)], [],
                Enumerable.Range(0, s.Gpus).Select(_ => new MachineGpu("NVIDIA L40S", "NVIDIA")).ToList(), "Off"), bmc.Id, now);
            m.SetTags([prefix]);
            return db.Machines.Add(m).Entity;
        }).ToList();
        await db.SaveChangesAsync();
        return machines.Select(m => m.Id).ToList();
    }

    /// <summary>A real user (Core rules and foreign keys need one) and the requester they act as.</summary>
    public static async Task<Requester> RequesterAsync(this PortalFactory factory, string name, params string[] roles)
    {
        var user = await factory.CreateUserAsync($"{name}@test.local", Password, roles.Length == 0 ? [Roles.User] : roles);
        return new Requester(user.Id, user.UserName!, roles.Contains(Roles.Operator) || roles.Contains(Roles.Admin));
    }

    /// <summary>Reserves through Core, as another person's session would.</summary>
    public static async Task ReserveAsync(this PortalFactory factory, Requester who, params long[] ids)
    {
        using var scope = factory.Services.CreateScope();
        var outcome = await scope.ServiceProvider.GetRequiredService<Reservations>().ReserveAsync(ids, null, who);
        Assert.True(outcome.Succeeded, outcome.Message);
    }

    public static async Task<Machine> MachineAsync(this PortalFactory factory, long id)
    {
        using var scope = factory.Services.CreateScope();
        return (await scope.ServiceProvider.GetRequiredService<AppDbContext>().Machines.FindAsync(id))!;
    }
}
