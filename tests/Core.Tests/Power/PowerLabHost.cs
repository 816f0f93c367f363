using Portal.Core.Bmcs;
using Portal.Core.Tests.Catalogue;
using Portal.Lab;

namespace Portal.Core.Tests.Power;

/// <summary>
/// A real lab fleet over HTTPS on its own 127.x range, and a fresh database (the catalogue's
/// services, real clock) that already knows every lab BMC with its credentials and every system
/// as a machine — the setup of the tests that talk to BMCs through the Portal's power code.
/// </summary>
public sealed class PowerLabHost : IAsyncDisposable
{
    private readonly string labDirectory = Directory.CreateTempSubdirectory("portal-power-lab-").FullName;

    public LabFleet Lab { get; private set; } = default!;
    public CatalogueTestHost Host { get; private set; } = default!;
    public Dictionary<LabBmc, long> BmcIds { get; } = [];
    public Dictionary<LabSystem, long> MachineIds { get; } = [];

    /// <param name="lab">The fleet: its range (FirstAddress), seed, profiles; the lab's output directory is set here.</param>
    /// <param name="settings">Portal settings on top of fast Redfish retries.</param>
    public static async Task<PowerLabHost> StartAsync(LabOptions lab, Dictionary<string, string?>? settings = null)
    {
        var host = new PowerLabHost();
        host.Lab = await LabFleet.StartAsync(lab with { OutputDirectory = host.labDirectory });
        var all = new Dictionary<string, string?> { ["Redfish:RetryBaseDelay"] = "00:00:00.020" };
        foreach (var (key, value) in settings ?? []) all[key] = value;
        host.Host = await CatalogueTestHost.StartAsync(all, realClock: true);
        foreach (var bmc in host.Lab.Bmcs)
            host.BmcIds[bmc] = await RegisterAsync(host.Host, bmc, host.MachineIds);
        return host;
    }

    /// <summary>Adds the BMC (with its credentials) and its systems to <paramref name="host"/>'s database, as an inventory would.</summary>
    public static async Task<long> RegisterAsync(CatalogueTestHost host, LabBmc bmc, Dictionary<LabSystem, long>? machines = null)
    {
        var bmcId = await host.AddBmcAsync(MacAddress.Parse(bmc.Mac).ToString(), bmc.Address.ToString(), bmc.Port, bmc.Username, bmc.Password, bmc.Https);
        foreach (var system in bmc.Systems)
        {
            var machineId = await host.AddMachineAsync(bmcId, Facts.Of(redfishId: system.RedfishPath, serial: system.Facts.SerialNumber));
            if (machines is not null) machines[system] = machineId;
        }
        return bmcId;
    }

    public LabBmc Bmc(string profile) => Lab.Bmcs.First(b => b.Profile.Name == profile);

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Lab.DisposeAsync();
        Directory.Delete(labDirectory, true);
    }
}
