using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Auditing;
using Portal.Core.Bmcs;
using Portal.Core.Credentials;
using Portal.Core.Discovery;
using Portal.Core.Discovery.Runs;
using Portal.Core.Persistence;
using Portal.Lab;
using Portal.Tests.Support;

namespace Portal.Tests.Discovery;

/// <summary>
/// A one-BMC lab the Portal has onboarded (certificate pinned), then re-certified through the lab's
/// control API and onboarded again: the BMC is in TlsCertificateChanged, as after a real re-certification.
/// </summary>
internal sealed class RecertifiedLab : IAsyncDisposable
{
    private readonly string directory;

    private RecertifiedLab(LabFleet fleet, string directory, long bmcId, string pinned, string presented)
    {
        Fleet = fleet;
        this.directory = directory;
        BmcId = bmcId;
        Pinned = pinned;
        Presented = presented;
    }

    public LabFleet Fleet { get; }
    public long BmcId { get; }
    public string Pinned { get; }
    public string Presented { get; }

    public static async Task<RecertifiedLab> StartAsync(PortalFactory portal, string firstAddress)
    {
        var directory = Directory.CreateTempSubdirectory("portal-recertified-lab-").FullName;
        // A seed per address: each lab's BMC has its own MAC, so tests sharing a Portal never share a BMC.
        var address = System.Net.IPAddress.Parse(firstAddress).GetAddressBytes();
        var fleet = await LabFleet.StartAsync(new LabOptions { BmcCount = 1, FirstAddress = firstAddress, OutputDirectory = directory, Seed = address[2] * 256 + address[3] });
        using var scope = portal.Services.CreateScope();
        var import = scope.ServiceProvider.GetRequiredService<CredentialImport>();
        await using (var csv = File.OpenRead(fleet.CredentialCsvPath))
            Assert.True((await import.ImportAsync(await import.PreviewAsync(csv, "lab.csv", false), "lab.csv", false, Actor.System)).Succeeded);
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        db.DiscoverySources.Add(DiscoverySource.Create(DiscoverySourceKind.DnsmasqLeases, fleet.LeaseFilePath, fleet.Port, true, DateTimeOffset.UtcNow));
        await db.SaveChangesAsync();
        var runner = scope.ServiceProvider.GetRequiredService<DiscoveryRunner>();
        var mac = MacAddress.Parse(fleet.Bmcs[0].Mac);
        Assert.Equal(1, (await runner.OnboardByMacAsync(mac, Actor.System, default)).Inventoried);

        // Through the control API, as a test outside the process would.
        using var control = new HttpClient { BaseAddress = fleet.ControlUri };
        using var response = await control.PostAsync("lab/bmcs/0/recertify", null);
        response.EnsureSuccessStatusCode();
        var presented = (await response.Content.ReadFromJsonAsync<JsonObject>())!["certificateSha256"]!.GetValue<string>();
        Assert.Equal(0, (await runner.OnboardByMacAsync(mac, Actor.System, default)).Inventoried);

        var bmc = await db.Bmcs.AsNoTracking().SingleAsync(b => b.Mac == mac.ToString());
        Assert.Equal(BmcStatus.TlsCertificateChanged, bmc.Status);
        Assert.Equal(presented, bmc.PresentedCertificateSha256);
        return new RecertifiedLab(fleet, directory, bmc.Id, bmc.PinnedCertificateSha256!, presented);
    }

    public async ValueTask DisposeAsync()
    {
        await Fleet.DisposeAsync();
        Directory.Delete(directory, true);
    }
}
