using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Portal.Core.Machines;
using Portal.Lab;
using Portal.TestSupport;

namespace Portal.Tests.Provisioning;

/// <summary>Releasing a deployed machine through the API and the machine page: a release run with an optional wipe.</summary>
[Collection(ProvisioningCollection.Name)]
public sealed class ReleaseApiTests(ProvisioningFactory factory)
{
    private async Task<long> DeployedAsync(HttpClient api)
    {
        var machineId = (await factory.ReservedAsync(api))[0];
        var started = await api.PostAsJsonAsync("/api/v1/deployments", new { machineId, profileId = await factory.LabInstallerIdAsync(), hostname = "rel.lab" });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        await ProvisioningFactory.WaitForStepAsync(api, id, "WaitForScriptFetch");
        await new SimulatedInstaller(factory.CreateClient(), factory.Systems[machineId].Facts.Nics[0].Mac).InstallAsync();
        Assert.Equal("Deployed", (await ProvisioningFactory.WaitForStepAsync(api, id, "Deployed")).GetProperty("step").GetString());
        return machineId;
    }

    [Fact]
    public async Task ADeployedMachineIsWipedWithTheChosenProfilePoweredOffAndOfferedAgain()
    {
        var (_, api) = await factory.UserAsync("release-wipe");
        var machineId = await DeployedAsync(api);
        // What the machine page's release dialog offers.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var details = await Portal.Machines.MachineDetails.LoadAsync(scope.ServiceProvider.GetRequiredService<Portal.Core.Persistence.AppDbContext>(), machineId, Portal.Core.Reservations.Requester.System, default);
            Assert.Contains(details!.WipeProfiles, p => p.Name == "Lab installer");
        }

        var response = await api.PostAsJsonAsync($"/api/v1/machines/{machineId}/release", new { wipeProfileId = await factory.LabInstallerIdAsync() });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var release = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deploymentId").GetInt64();
        await ProvisioningFactory.WaitForStepAsync(api, release, "WaitForScriptFetch");
        await new SimulatedInstaller(factory.CreateClient(), factory.Systems[machineId].Facts.Nics[0].Mac).InstallAsync(); // the wipe
        var done = await ProvisioningFactory.WaitForStepAsync(api, release, "Released");

        Assert.Equal("Released", done.GetProperty("step").GetString());
        Assert.Equal(LabPowerState.Off, factory.Systems[machineId].PowerState);
        var machine = await factory.WithDbAsync(db => Task.FromResult(db.Machines.Single(m => m.Id == machineId)));
        Assert.Equal((MachineState.Available, false), (machine.State, machine.IsHeld));
    }

    [Fact]
    public async Task AReservedMachineIsReleasedAtOnceAndAnUnknownWipeProfileIsRefused()
    {
        var (_, api) = await factory.UserAsync("release-plain");
        var reserved = (await factory.ReservedAsync(api, 2));

        var plain = await api.PostAsync($"/api/v1/machines/{reserved[0]}/release", null);
        var badWipe = await api.PostAsJsonAsync($"/api/v1/machines/{reserved[1]}/release", new { wipeProfileId = 999999 });

        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
        Assert.Equal(JsonValueKind.Null, (await plain.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deploymentId").ValueKind);
        Assert.Equal(HttpStatusCode.Conflict, badWipe.StatusCode);
        Assert.Contains("never installed by Portal", await badWipe.Content.ReadAsStringAsync());
    }
}
