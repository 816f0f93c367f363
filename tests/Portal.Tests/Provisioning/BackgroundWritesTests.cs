using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Power;

namespace Portal.Tests.Provisioning;

/// <summary>
/// Issue 13, finding 8: bookkeeping written in the background (power state checks, their timestamps)
/// never makes a user's reserve, deploy, cancel or release fail; a real conflict still does.
/// </summary>
[Collection(ProvisioningCollection.Name)]
public sealed class BackgroundWritesTests(ProvisioningFactory factory)
{
    [Fact]
    public async Task APowerRefreshEvery100MsNeverMakesAUsersReserveDeployOrReleaseFail()
    {
        var alice = await factory.MemberAsync("bookkeeping-alice");
        var bob = await factory.MemberAsync("bookkeeping-bob");
        var machineId = await factory.AddMachineAsync();
        var profileId = await factory.LabInstallerIdAsync();
        var refresher = factory.Services.GetRequiredService<PowerStateRefresher>();
        using var stop = new CancellationTokenSource();
        var refreshes = 0;
        var refreshing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await refresher.RefreshDueAsync(CancellationToken.None);
                refreshes++;
                await Task.Delay(100);
            }
        });

        try
        {
            for (var round = 1; round <= 50; round++)
            {
                await Expect(HttpStatusCode.OK, await alice.Api.PostAsJsonAsync("/api/v1/reservations", new { machineIds = new[] { machineId } }), round, "reserve");
                // A real conflict is still one: Bob cannot take the machine Alice holds.
                if (round % 10 == 0)
                    await Expect(HttpStatusCode.Conflict, await bob.Api.PostAsJsonAsync("/api/v1/reservations", new { machineIds = new[] { machineId } }), round, "Bob's reserve");
                var started = await alice.Api.PostAsJsonAsync("/api/v1/deployments", new { machineId, profileId, hostname = $"round-{round}" });
                await Expect(HttpStatusCode.Created, started, round, "deploy");
                var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
                await ProvisioningFactory.WaitForStepAsync(alice.Api, id, "WaitForScriptFetch");
                await Expect(HttpStatusCode.OK, await alice.Api.PostAsync($"/api/v1/deployments/{id}/cancel", null), round, "cancel");
                await Expect(HttpStatusCode.OK, await alice.Api.PostAsJsonAsync($"/api/v1/machines/{machineId}/release", new { }), round, "release");
            }
        }
        finally
        {
            await stop.CancelAsync();
            await refreshing;
        }
        Assert.True(refreshes >= 20, $"only {refreshes} power refreshes ran");
    }

    private static async Task Expect(HttpStatusCode expected, HttpResponseMessage response, int round, string what) =>
        Assert.True(response.StatusCode == expected, $"Round {round}, {what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
}
