using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Portal.Lab.Tests.Hosting;

public sealed class HostingTests
{
    [Fact]
    public async Task AddLabFleetRunsTheFleetWithTheHostAndStopsItAfterwards()
    {
        var dir = Path.Combine(Path.GetTempPath(), "portal-lab-tests", Guid.NewGuid().ToString("N"));
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Lab:BmcCount"] = "3",
            ["Lab:FirstAddress"] = "127.0.29.1",
            ["Lab:OutputDirectory"] = dir,
            ["Lab:SessionTimeout"] = "00:00:05",
            ["Lab:Profiles:0"] = "hpe",
            ["Lab:DefaultFaults:LatencyMs"] = "10",
            ["Lab:SimulatedNetbootUrl"] = "http://127.0.0.1:5080",
            ["Lab:InstallerPace"] = "00:00:00.250",
            ["Lab:NetbootFaults:InstallerFailsAtPercent"] = "30",
        });
        builder.Services.AddLabFleet(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync();

        var fleet = host.Services.GetRequiredService<LabFleet>();
        Assert.Equal(3, fleet.Bmcs.Count);
        Assert.All(fleet.Bmcs, b => Assert.Equal("hpe", b.Profile.Name));
        Assert.Equal(TimeSpan.FromSeconds(5), fleet.Options.SessionTimeout);
        Assert.Equal(10, fleet.Bmcs[0].Faults.LatencyMs);
        Assert.Equal(new Uri("http://127.0.0.1:5080"), fleet.Firmware?.Portal);
        Assert.Equal(TimeSpan.FromMilliseconds(250), fleet.Options.InstallerPace);
        Assert.All(fleet.Systems, s => Assert.Equal(30, s.NetbootFaults.InstallerFailsAtPercent));
        Assert.True(File.Exists(Path.Combine(dir, "bmc-credentials.csv")));
        using var client = new HttpClient { BaseAddress = fleet.ControlUri };
        using (var response = await client.GetAsync("lab")) Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        await host.StopAsync();
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetAsync("lab"));
        Directory.Delete(dir, true);
    }
}
