using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Auditing;
using Portal.Core.Bmcs;
using Portal.Core.Credentials;
using Portal.Core.Discovery;
using Portal.Core.Discovery.Runs;
using Portal.Core.Persistence;
using Portal.Lab;

namespace Portal.Core.Tests.Discovery.Identity;

/// <summary>
/// Discovery over real HTTPS against lab BMCs whose boards all report "To Be Filled By O.E.M.", with a
/// real PostgreSQL: the shared placeholder serial must not fold different machines into one.
/// </summary>
public sealed class PlaceholderSerialLabTests : IAsyncLifetime
{
    private const string Oem = "To Be Filled By O.E.M.";
    private readonly string labDirectory = Directory.CreateTempSubdirectory("portal-placeholder-serial-lab-").FullName;
    private LabFleet lab = default!;
    private ServiceProvider services = default!;
    private DiscoveryDatabase database = default!;

    public async Task InitializeAsync()
    {
        lab = await LabFleet.StartAsync(new LabOptions { BmcCount = 2, FirstAddress = "127.0.76.1", OutputDirectory = labDirectory, Seed = 76, SystemSerial = Oem });
        database = await DiscoveryDatabase.CreateAsync();
        services = database.Services;
        await database.AddLeaseSourceAsync(lab);
        await database.AddVendorCredentialsAsync(lab.Bmcs);
    }

    public async Task DisposeAsync()
    {
        await database.DisposeAsync();
        await lab.DisposeAsync();
        Directory.Delete(labDirectory, true);
    }

    [Fact]
    public async Task LabMachinesSharingToBeFilledByOemOnTwoBmcsStayDifferentMachinesEachOnItsOwnBmcRunAfterRun()
    {
        Assert.All(lab.Systems, s => Assert.Equal(Oem, s.Facts.SerialNumber));
        var systems = lab.Systems.Count();
        Assert.Equal(systems, lab.Systems.Select(s => s.Facts.Uuid).Distinct().Count());

        // Twice: before the rule, the second BMC's system took over the first's machine, and the next run moved it back.
        for (var run = 0; run < 2; run++)
        {
            var progress = await database.RunAsync();
            Assert.Equal(lab.Bmcs.Count, progress.Inventoried);

            await using var scope = services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var machines = await db.Machines.Include(m => m.Bmc).AsNoTracking().ToListAsync();
            Assert.Equal(systems, machines.Count);
            foreach (var system in lab.Systems)
                Assert.Equal(MacAddress.Parse(system.Bmc.Mac).ToString(), Assert.Single(machines, m => m.Uuid == system.Facts.Uuid).Bmc!.Mac);
            Assert.Empty(await db.IdentityConflicts.ToListAsync());
            Assert.False(await db.AuditEvents.AnyAsync(e => e.Action == "machine.changed" && e.Summary.Contains("bmc:")));
        }
    }
}
