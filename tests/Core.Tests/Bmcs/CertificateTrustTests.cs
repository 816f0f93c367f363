using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Auditing;
using Portal.Core.Bmcs;
using Portal.Core.Credentials;
using Portal.Core.Discovery;
using Portal.Core.Discovery.Runs;
using Portal.Core.Persistence;
using Portal.Core.Reservations;
using Portal.Lab;

using Portal.Core.Tests.Discovery;

namespace Portal.Core.Tests.Bmcs;

/// <summary>
/// Pinned certificates against a lab that keeps its certificates across restarts, and an admin's
/// "confirm and re-pin" after a BMC really was re-certified. Real HTTPS, real PostgreSQL.
/// </summary>
public sealed class CertificateTrustTests : IAsyncLifetime
{
    private const string Range = "127.0.33.1";
    private readonly string labDirectory = Directory.CreateTempSubdirectory("portal-cert-trust-lab-").FullName;
    private LabFleet lab = default!;
    private ServiceProvider services = default!;
    private DiscoveryDatabase database = default!;

    private LabOptions LabOptions(int port = 0) => new() { BmcCount = 3, FirstAddress = Range, OutputDirectory = labDirectory, Seed = 11, Port = port };

    public async Task InitializeAsync()
    {
        lab = await LabFleet.StartAsync(LabOptions());
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
    public async Task LabRestartedWithTheSameOutputDirectoryIsDiscoveredReachableAgain()
    {
        Assert.Equal(3, (await RunAsync()).Inventoried);
        var port = lab.Port;
        await lab.DisposeAsync();
        lab = await LabFleet.StartAsync(LabOptions(port));

        var again = await RunAsync();

        Assert.Equal(3, again.Inventoried);
        Assert.Equal(0, again.Failed);
        Assert.All(await BmcsAsync(), b => Assert.Equal(BmcStatus.Reachable, b.Status));
    }

    [Fact]
    public async Task RecertifiedBmcIsTlsCertificateChangedWithThePresentedThumbprint()
    {
        await RunAsync();
        var pinned = (await BmcAsync(lab.Bmcs[1])).PinnedCertificateSha256;

        var presented = lab.Recertify(lab.Bmcs[1]);
        await RunAsync();

        var bmc = await BmcAsync(lab.Bmcs[1]);
        Assert.Equal(BmcStatus.TlsCertificateChanged, bmc.Status);
        Assert.Equal(presented, bmc.PresentedCertificateSha256);
        Assert.Equal(pinned, bmc.PinnedCertificateSha256);
        Assert.Contains(presented, bmc.LastError);
        Assert.All((await BmcsAsync()).Where(b => b.Id != bmc.Id), b => Assert.Equal(BmcStatus.Reachable, b.Status));
    }

    [Fact]
    public async Task TrustingThePresentedCertificateRepinsItAndMakesTheBmcReachable()
    {
        await RunAsync();
        var presented = lab.Recertify(lab.Bmcs[1]);
        await RunAsync();
        var before = await BmcAsync(lab.Bmcs[1]);

        // As an admin would paste it from a browser: lower case with colons.
        var spelled = string.Join(':', presented.Chunk(2).Select(c => new string(c))).ToLowerInvariant();
        var outcome = await TrustAsync(before.Id, spelled);

        Assert.True(outcome.Succeeded, outcome.Message);
        var after = await BmcAsync(lab.Bmcs[1]);
        Assert.Equal(BmcStatus.Reachable, after.Status);
        Assert.Equal(presented, after.PinnedCertificateSha256);
        Assert.Null(after.PresentedCertificateSha256);
        await using var scope = services.CreateAsyncScope();
        var audit = await scope.ServiceProvider.GetRequiredService<AppDbContext>().AuditEvents.SingleAsync(a => a.Action == "bmc.certificate-trusted");
        Assert.Equal(after.Mac, audit.TargetId);
        Assert.Contains($"{before.PinnedCertificateSha256} → {presented}", audit.Summary);
    }

    [Fact]
    public async Task StaleConfirmationIsRefusedAndPinsNothing()
    {
        await RunAsync();
        var seenByAdmin = lab.Recertify(lab.Bmcs[1]);
        await RunAsync();
        // Re-certified once more before the admin confirmed what they saw.
        var current = lab.Recertify(lab.Bmcs[1]);
        await RunAsync();
        var bmc = await BmcAsync(lab.Bmcs[1]);

        var outcome = await TrustAsync(bmc.Id, seenByAdmin);

        Assert.Equal(OutcomeStatus.Conflict, outcome.Status);
        Assert.Contains($"now presents SHA-256 {current}", outcome.Message);
        var after = await BmcAsync(lab.Bmcs[1]);
        Assert.Equal(BmcStatus.TlsCertificateChanged, after.Status);
        Assert.Equal(bmc.PinnedCertificateSha256, after.PinnedCertificateSha256);
    }

    [Fact]
    public async Task TrustIsRefusedForABmcWhoseCertificateDidNotChange()
    {
        await RunAsync();
        var bmc = await BmcAsync(lab.Bmcs[0]);

        var outcome = await TrustAsync(bmc.Id, bmc.PinnedCertificateSha256!);

        Assert.Equal(OutcomeStatus.Conflict, outcome.Status);
        Assert.Contains("has no changed certificate to trust (status Reachable)", outcome.Message);
    }

    [Fact]
    public async Task NotAThumbprintOrNoSuchBmcSaysSo()
    {
        Assert.Equal(OutcomeStatus.Invalid, (await TrustAsync(1, "abc")).Status);
        Assert.Equal(OutcomeStatus.NotFound, (await TrustAsync(999_999, new string('A', 64))).Status);
    }

    private Task<DiscoveryProgress> RunAsync() => database.RunAsync();

    private async Task<Outcome> TrustAsync(long bmcId, string sha256)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<BmcCertificateTrust>()
            .TrustPresentedCertificateAsync(bmcId, sha256, new Actor("admin-id", "admin@example.test"), default);
    }

    private async Task<List<Bmc>> BmcsAsync()
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().Bmcs.AsNoTracking().ToListAsync();
    }

    private async Task<Bmc> BmcAsync(LabBmc labBmc)
    {
        var mac = MacAddress.Parse(labBmc.Mac).ToString();
        return (await BmcsAsync()).Single(b => b.Mac == mac);
    }
}
