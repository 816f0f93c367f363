using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Auditing;
using Portal.Core.Bmcs;
using Portal.Core.Credentials;
using Portal.Core.Discovery;
using Portal.Core.Discovery.Runs;
using Portal.Core.Persistence;
using Portal.Core.Users;
using Portal.Lab;
using Portal.Lab.Faults;

namespace Portal.Core.Tests.Discovery.Runs;

/// <summary>Discovery end to end against the lab over real HTTPS and a real database.</summary>
public sealed class DiscoveryRunTests : IAsyncLifetime
{
    private LabFleet lab = default!;
    private ServiceProvider services = default!;
    private DiscoveryDatabase database = default!;
    private readonly string labDirectory = Directory.CreateTempSubdirectory("portal-discovery-lab-").FullName;

    public async Task InitializeAsync()
    {
        lab = await LabFleet.StartAsync(new LabOptions { BmcCount = 8, FirstAddress = "127.0.70.1", OutputDirectory = labDirectory, Seed = 7 });
        database = await DiscoveryDatabase.CreateAsync();
        services = database.Services;
        await database.AddLeaseSourceAsync(lab);
    }

    public async Task DisposeAsync()
    {
        await database.DisposeAsync();
        await lab.DisposeAsync();
        Directory.Delete(labDirectory, true);
    }

    [Fact]
    public async Task EveryLabMachineAppearsWithTheLabsOwnFacts()
    {
        await AddVendorCredentialsAsync(lab.Bmcs);

        var run = await RunAsync();

        Assert.Equal(lab.Bmcs.Count, run.Inventoried);
        Assert.Equal(0, run.Failed);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var machines = await db.Machines.Include(m => m.Bmc).ToListAsync();
        Assert.Equal(lab.Systems.Count(), machines.Count);
        foreach (var system in lab.Systems)
        {
            var facts = system.Facts;
            var machine = Assert.Single(machines, m => m.Uuid == facts.Uuid);
            Assert.Equal(facts.SerialNumber, machine.Serial);
            Assert.Equal(system.Bmc.Mac, machine.Bmc!.Mac);
            Assert.Equal(facts.TotalCores, machine.CpuCores);
            Assert.Equal(facts.TotalThreads, machine.CpuThreads);
            Assert.Equal(facts.Sockets, machine.CpuSockets);
            Assert.Equal(facts.MemoryBytes, machine.MemoryBytes);
            Assert.Equal(facts.Nics.Select(n => n.Mac).Order(), machine.Nics.Select(n => n.Mac).Order());
            Assert.Equal(facts.Gpus.Count, machine.GpuCount);
            Assert.Equal(facts.Disks.Sum(d => d.CapacityBytes), machine.DiskTotalBytes);
            Assert.Equal(facts.Disks.Count, machine.Disks.Count);
        }
        Assert.All(await db.Bmcs.ToListAsync(), b => Assert.Equal(BmcStatus.Reachable, b.Status));
    }

    [Fact]
    public async Task ReinventoryKeepsIdsAndNeverDuplicatesMachines()
    {
        await AddVendorCredentialsAsync(lab.Bmcs);
        await RunAsync();
        var before = await MachineIdsAsync();

        await RunAsync();

        Assert.Equal(before, await MachineIdsAsync());
    }

    [Fact]
    public async Task BmcWithoutMatchingCredentialsWaitsAndBecomesReachableAfterAnUpload()
    {
        var missing = lab.Bmcs[3];
        await AddVendorCredentialsAsync(lab.Bmcs.Where(b => b != missing));

        var first = await RunAsync();
        Assert.Equal(1, first.PendingCredentials);
        Assert.Equal(BmcStatus.PendingCredentials, (await BmcAsync(missing.Mac)).Status);
        Assert.Contains("No credentials", (await BmcAsync(missing.Mac)).LastError);

        await AddVendorCredentialsAsync([missing]);
        await RunAsync();
        Assert.Equal(BmcStatus.Reachable, (await BmcAsync(missing.Mac)).Status);
    }

    [Fact]
    public async Task InjectedFaultsGiveSpecificStatusesWhileTheRestIsDiscovered()
    {
        await AddVendorCredentialsAsync(lab.Bmcs);
        lab.Bmcs[1].Faults = new FaultSettings { FailAuth = true };
        lab.Bmcs[2].Faults = new FaultSettings { MalformedJsonRate = 1.0 };

        var run = await RunAsync();

        Assert.Equal(lab.Bmcs.Count - 2, run.Inventoried);
        Assert.Equal(BmcStatus.AuthFailed, (await BmcAsync(lab.Bmcs[1].Mac)).Status);
        Assert.Equal(BmcStatus.Error, (await BmcAsync(lab.Bmcs[2].Mac)).Status);
        Assert.False(string.IsNullOrEmpty((await BmcAsync(lab.Bmcs[2].Mac)).LastError));
    }

    [Fact]
    public async Task AVendorListPasswordTheKeyRingCannotOpenFailsThatBmcAloneAndSaysWhy()
    {
        await AddVendorCredentialsAsync(lab.Bmcs);
        var unreadable = MacAddress.Parse(lab.Bmcs[3].Mac).ToString();
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            // As after a database restored without its key ring.
            await db.Database.ExecuteSqlAsync($"""UPDATE "VendorCredentials" SET "EncryptedPassword" = 'sealed-by-another-key-ring' WHERE "Mac" = {unreadable}""");
        }

        var run = await RunAsync();

        Assert.Equal(lab.Bmcs.Count - 1, run.Inventoried);
        Assert.Equal(1, run.Failed);
        Assert.Contains(run.Issues, i => i.Contains($"the vendor list entry for {unreadable}: the stored password cannot be decrypted", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NoBmcEverSeesMoreThanTwoConcurrentRequests()
    {
        await AddVendorCredentialsAsync(lab.Bmcs);
        lab.ResetStats();
        lab.SetFaults(new FaultSettings { LatencyMs = 20 });

        await RunAsync();

        Assert.All(lab.Bmcs, b => Assert.InRange(b.Stats.MaxInFlight, 1, 2));
    }

    [Fact]
    public async Task OnboardingByMacFindsTheAddressInTheLeaseFile()
    {
        var target = lab.Bmcs[5];
        await AddVendorCredentialsAsync([target]);

        var run = await services.GetRequiredService<DiscoveryRunner>().OnboardByMacAsync(MacAddress.Parse(target.Mac), Actor.System, default);

        Assert.Equal(1, run.Inventoried);
        var bmc = await BmcAsync(target.Mac);
        Assert.Equal(target.Address.ToString(), bmc.Address);
        Assert.Equal(BmcStatus.Reachable, bmc.Status);
    }

    [Fact]
    public async Task OnboardingAnUnknownMacSaysWhy()
    {
        var run = await services.GetRequiredService<DiscoveryRunner>().OnboardByMacAsync(MacAddress.Parse("02:00:00:00:99:99"), Actor.System, default);
        Assert.Equal(0, run.Total);
        Assert.Contains(run.Issues, i => i.Contains("No lease for 02:00:00:00:99:99"));
    }

    [Fact]
    public async Task StoredPasswordsAreEncrypted()
    {
        await AddVendorCredentialsAsync(lab.Bmcs);
        await RunAsync();
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        foreach (var bmc in await db.Bmcs.ToListAsync())
        {
            var plain = lab.Bmcs.Single(b => b.Mac == bmc.Mac).Password;
            Assert.DoesNotContain(plain, bmc.EncryptedPassword);
            Assert.Equal(plain, services.GetRequiredService<CredentialProtector>().Unprotect(bmc.EncryptedPassword!));
        }
    }

    private Task<DiscoveryProgress> RunAsync() => database.RunAsync();

    private Task AddVendorCredentialsAsync(IEnumerable<LabBmc> bmcs) => database.AddVendorCredentialsAsync(bmcs);

    private async Task<Bmc> BmcAsync(string mac)
    {
        await using var scope = services.CreateAsyncScope();
        var normalized = MacAddress.Parse(mac).ToString();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().Bmcs.SingleAsync(b => b.Mac == normalized);
    }

    private async Task<List<(long, Guid?)>> MachineIdsAsync()
    {
        await using var scope = services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<AppDbContext>().Machines.OrderBy(m => m.Id).Select(m => new { m.Id, m.Uuid }).ToListAsync())
            .Select(m => (m.Id, m.Uuid)).ToList();
    }
}
