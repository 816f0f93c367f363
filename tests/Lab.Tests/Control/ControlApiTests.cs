using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Portal.Lab.Tests.Support;

namespace Portal.Lab.Tests.Control;

public sealed class ControlApiTests
{
    private const string Range = "127.0.30.1";

    [Fact]
    public async Task BmcListCarriesCredentialsAndGroundTruth()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var list = await lab.ControlClient().GetFromJsonAsync<JsonArray>("lab/bmcs");
        Assert.Equal(lab.Fleet.Bmcs.Count, list!.Count);
        var first = list[0]!;
        var bmc = lab.Fleet.Bmcs[0];
        Assert.Equal(bmc.Mac, first["mac"]!.GetValue<string>());
        Assert.Equal(bmc.Password, first["password"]!.GetValue<string>());
        Assert.Equal(bmc.BaseUri.ToString(), first["uri"]!.GetValue<string>());
        var system = first["systems"]![0]!;
        Assert.Equal("Off", system["powerState"]!.GetValue<string>());
        Assert.Equal(bmc.Systems[0].Facts.SerialNumber, system["facts"]!["serialNumber"]!.GetValue<string>());
        Assert.Equal(bmc.Systems[0].Facts.TotalCores, system["facts"]!["cores"]!.GetValue<int>());
    }

    [Fact]
    public async Task SummaryNamesTheFiles()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var summary = await lab.ControlClient().GetFromJsonAsync<JsonObject>("lab");
        Assert.Equal(lab.Fleet.CredentialCsvPath, summary!["credentialCsvPath"]!.GetValue<string>());
        Assert.Equal(lab.Fleet.LeaseFilePath, summary["leaseFilePath"]!.GetValue<string>());
        Assert.Equal(8, summary["bmcCount"]!.GetValue<int>());
    }

    [Fact]
    public async Task UnknownBmcIs404AndUnlockEndsALockout()
    {
        await using var lab = await TestLab.StartAsync(Range, new LabOptions { LockoutThreshold = 1, LockoutDuration = TimeSpan.FromMinutes(5) });
        var control = lab.ControlClient();
        using (var missing = await control.GetAsync("lab/bmcs/aa:bb:cc:dd:ee:ff")) Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        var bmc = lab.Fleet.Bmcs[0];
        var bad = lab.Client(bmc, basicAuth: false);
        bad.DefaultRequestHeaders.Authorization = TestLab.BasicAuth(bmc.Username, "nope");
        (await bad.GetAsync("/redfish/v1/Systems")).Dispose();
        Assert.True(bmc.IsLockedOut);
        (await control.PostAsync($"lab/bmcs/{bmc.Index}/unlock", null)).Dispose();
        Assert.False(bmc.IsLockedOut);
    }

    [Fact]
    public async Task NetbootFaultsAreSetPerBmcForAllItsSystemsCheckedAndCleared()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var control = lab.ControlClient();
        var blade = lab.Bmc("blade");

        using (var set = await control.PutAsJsonAsync($"lab/bmcs/{blade.Index}/netboot-faults", new { installerHangs = true, installerFailsAtPercent = 20 }))
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        using (var bad = await control.PutAsJsonAsync($"lab/bmcs/{blade.Index}/netboot-faults", new { installerFailsAtPercent = 120 }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("installerFailsAtPercent 120 is outside 0-100", await bad.Content.ReadAsStringAsync());
        }

        Assert.Equal(4, blade.Systems.Count(s => s is { NetbootFaults: { InstallerHangs: true, InstallerFailsAtPercent: 20 } }));
        Assert.All(lab.Fleet.Systems.Where(s => s.Bmc != blade), s => Assert.Equal(Portal.Lab.Netboot.NetbootFaults.None, s.NetbootFaults));
        (await control.DeleteAsync($"lab/bmcs/{blade.Index}/netboot-faults")).Dispose();
        Assert.All(blade.Systems, s => Assert.Equal(Portal.Lab.Netboot.NetbootFaults.None, s.NetbootFaults));
    }
}
