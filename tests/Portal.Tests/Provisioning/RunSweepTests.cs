using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Portal.Core.Provisioning.Workflow;
using Portal.Lab;
using Portal.Lab.Faults;
using Portal.TestSupport;

namespace Portal.Tests.Provisioning;

/// <summary>
/// Issue 13, finding 3: PostgreSQL stops while a step runs, so the step can neither save nor schedule
/// the next one and the run is left without a Quartz trigger. The sweep gives it its job back.
/// On a PostgreSQL server of its own: stopping the shared one would fail everyone else's tests.
/// </summary>
public sealed class RunSweepTests(RunSweepTests.OutagePortal factory) : IClassFixture<RunSweepTests.OutagePortal>
{
    [Fact]
    public async Task ARunWhoseNextStepCouldNotBeScheduledWhileTheDatabaseWasDownGetsItsJobBackAndGoesOn()
    {
        var alice = await factory.MemberAsync("outage-alice");
        var machineId = (await factory.ReservedAsync(alice.Api))[0];
        var bmc = factory.Systems[machineId].Bmc;
        // The power-off step waits on a slow BMC long enough for the database to go away under it.
        bmc.Faults = new FaultSettings { LatencyMs = 2000 };
        var started = await alice.Api.PostAsJsonAsync("/api/v1/deployments", new { machineId, profileId = await factory.LabInstallerIdAsync(), hostname = "outage.lab" });
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();

        await Task.Delay(1000);
        await factory.Postgres.StopAsync();
        // The step's BMC calls end (a few, 2 s each), its save and the scheduling of its next run fail;
        // Quartz settles the fired trigger once the database is back, and the run's job is gone.
        await Task.Delay(25_000);
        bmc.Faults = FaultSettings.None;
        await factory.Postgres.StartAsync();

        await Eventually.TrueAsync(async () => await StepAsync(alice.Api, id) == "WaitForScriptFetch",
            "the run to get its job back and reach the wait for the script fetch", TimeSpan.FromSeconds(90));
    }

    private static async Task<string?> StepAsync(HttpClient api, long id)
    {
        try { return (await api.GetFromJsonAsync<JsonElement>($"/api/v1/deployments/{id}")).GetProperty("step").GetString(); }
        catch (HttpRequestException) { return null; } // while its connections to the restarted server are renewed
    }

    public sealed class OutagePortal : ProvisioningFactory
    {
        public PrivatePostgres Postgres { get; } = new();

        protected override async Task<string> CreateDatabaseAsync()
        {
            await Postgres.StartAsync();
            return Postgres.ConnectionString;
        }

        protected override Task<LabFleet> StartLabAsync(string directory) =>
            LabFleet.StartAsync(new LabOptions { BmcCount = 2, FirstAddress = "127.0.142.1", OutputDirectory = directory, Seed = 15 });

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Provisioning:SweepInterval", "00:00:02");
        }

        protected override async Task DisposedAsync() => await Postgres.DisposeAsync();
    }
}
