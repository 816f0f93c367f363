using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Portal.Core.Machines;
using Portal.Core.Users;
using Portal.Tests.Netboot;

namespace Portal.Tests.Provisioning;

/// <summary>/api/v1/deployments against the real host: Quartz drives lab BMCs, the test plays the machine's netboot side.</summary>
[Collection(ProvisioningCollection.Name)]
public sealed class DeploymentApiTests(ProvisioningFactory factory)
{
    private const string Key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHk alice@lab";

    private async Task<(HttpResponseMessage Response, JsonElement Body)> StartAsync(HttpClient api, object body)
    {
        var response = await api.PostAsJsonAsync("/api/v1/deployments", body);
        var text = await response.Content.ReadAsStringAsync();
        return (response, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement);
    }

    [Fact]
    public async Task AStartedDeploymentRunsItsBmcStepsAndItsTimelineListsThemAndTheScriptAsServed()
    {
        var (_, api) = await factory.UserAsync("api-start");
        var machineId = (await factory.ReservedAsync(api))[0];
        var profileId = await factory.LabInstallerIdAsync();

        var (response, body) = await StartAsync(api, new { machineId, profileId, hostname = "API-Node1.lab", sshKeys = new[] { Key }, parameters = new { install_seconds = "2" } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = body.GetProperty("id").GetInt64();
        Assert.Equal($"/api/v1/deployments/{id}", response.Headers.Location!.OriginalString);
        Assert.Equal(("Active", "api-node1.lab", "Lab installer", "api-start@test.local"),
            (body.GetProperty("state").GetString(), body.GetProperty("hostname").GetString(), body.GetProperty("profile").GetString(), body.GetProperty("requestedBy").GetString()));

        var waiting = await ProvisioningFactory.WaitForStepAsync(api, id, "WaitForScriptFetch");
        Assert.Equal("WaitForScriptFetch", waiting.GetProperty("step").GetString());
        Assert.Equal("Wait for the iPXE script fetch", waiting.GetProperty("stepLabel").GetString());
        Assert.True(waiting.GetProperty("deadline").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        var phases = Phases(waiting);
        Assert.Equal("started", phases[0]);
        Assert.Equal(["power-off", "set-pxe-override", "power-on"], phases.Where(p => p is "power-off" or "set-pxe-override" or "power-on"));
        Assert.InRange(waiting.GetProperty("percent").GetInt32(), 1, 99);
        var events = waiting.GetProperty("events").EnumerateArray().ToList();
        Assert.All(events, e => Assert.True(e.GetProperty("sinceStartSeconds").GetDouble() >= 0));
        Assert.Equal(0, events[0].GetProperty("sincePreviousSeconds").GetDouble(), 1);
        Assert.Equal(JsonValueKind.Null, waiting.GetProperty("ipxeScript").ValueKind);
        Assert.Equal(new Dictionary<string, string> { ["install_seconds"] = "2" }, waiting.GetProperty("parameters").Deserialize<Dictionary<string, string>>());

        // The machine PXE-boots and asks for its script: the timeline shows the fetch, the API the script as served
        // with the run's token left out (only the machine holds it; the database keeps it hashed and encrypted).
        var system = factory.Systems[machineId];
        var served = await factory.CreateClient().GetStringAsync(
            $"/netboot/machine.ipxe?mac={system.Facts.Nics[0].Mac}&uuid={system.Facts.Uuid:D}&serial={system.Facts.SerialNumber}&buildarch=x86_64&platform=efi");
        var fetched = await ProvisioningFactory.WaitForStepAsync(api, id, "WaitForConfigFetch");
        Assert.Equal(served.Replace(await factory.TokenOfAsync(id), Portal.Core.Provisioning.Deployment.TokenPlaceholder), fetched.GetProperty("ipxeScript").GetString());
        Assert.Contains("Netboot", fetched.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("kind").GetString()));
        Assert.Contains("wait-for-script-fetch", Phases(fetched));

        var listed = await api.GetFromJsonAsync<JsonElement>("/api/v1/deployments?state=Active");
        Assert.Contains(id, listed.EnumerateArray().Select(d => d.GetProperty("id").GetInt64()));
        var none = await api.GetFromJsonAsync<JsonElement>("/api/v1/deployments?state=Finished");
        Assert.DoesNotContain(id, none.EnumerateArray().Select(d => d.GetProperty("id").GetInt64()));
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/v1/deployments/{id}/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task CancelAndRetryAnswerWithStatusCodesAndSayWhy()
    {
        var (_, api) = await factory.UserAsync("api-retry");
        var machineId = (await factory.ReservedAsync(api))[0];
        var profileId = await factory.LabInstallerIdAsync();
        var first = (await StartAsync(api, new { machineId, profileId, hostname = "retry.lab" })).Body.GetProperty("id").GetInt64();

        var cancel = await api.PostAsync($"/api/v1/deployments/{first}/cancel", null);
        var again = await api.PostAsync($"/api/v1/deployments/{first}/cancel", null);
        var retryCancelled = await api.PostAsync($"/api/v1/deployments/{first}/retry", null);

        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Contains("cancelled", await cancel.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already ended (Cancelled)", await again.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Conflict, retryCancelled.StatusCode);
        Assert.Contains("Only a failed deployment", await retryCancelled.Content.ReadAsStringAsync());
        Assert.Equal(MachineState.Reserved, (await factory.DeploymentAsync(first)).Machine!.State);

        // The installer reports a failure: the run is Failed with its reason, and Retry starts it again as a new deployment.
        var second = (await StartAsync(api, new { machineId, profileId, hostname = "retry.lab" })).Body.GetProperty("id").GetInt64();
        await ProvisioningFactory.WaitForStepAsync(api, second, "WaitForScriptFetch");
        var token = await factory.TokenOfAsync(second);
        var installer = factory.InstallerOf(machineId);
        Assert.True(await installer.NetbootAsync());
        await installer.FetchConfigAsync();
        var failed = await factory.CreateClient().PostAsync($"/netboot/events/{token}",
            new StringContent("""{"phase":"failed","message":"no disk matches /dev/sda"}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NoContent, failed.StatusCode);
        var detail = await api.GetFromJsonAsync<JsonElement>($"/api/v1/deployments/{second}");
        Assert.Equal(("Failed", "no disk matches /dev/sda"), (detail.GetProperty("state").GetString(), detail.GetProperty("failureReason").GetString()));

        var retry = await api.PostAsync($"/api/v1/deployments/{second}/retry", null);
        var retryAgain = await api.PostAsync($"/api/v1/deployments/{second}/retry", null);

        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        var third = await retry.Content.ReadFromJsonAsync<JsonElement>();
        Assert.NotEqual(second, third.GetProperty("id").GetInt64());
        Assert.Equal(("Active", "retry.lab"), (third.GetProperty("state").GetString(), third.GetProperty("hostname").GetString()));
        Assert.Equal(HttpStatusCode.Conflict, retryAgain.StatusCode);
        Assert.Contains("Only a failed deployment on a failed machine", await retryAgain.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/v1/deployments/{third.GetProperty("id").GetInt64()}/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task AUserCannotSeeCancelOrRetrySomeoneElsesDeploymentButAnOperatorCan()
    {
        var (_, alice) = await factory.UserAsync("api-owner");
        var (_, bob) = await factory.UserAsync("api-other");
        var (_, op) = await factory.UserAsync("api-operator", Roles.Operator);
        var machineId = (await factory.ReservedAsync(alice))[0];
        var profileId = await factory.LabInstallerIdAsync();
        var id = (await StartAsync(alice, new { machineId, profileId, hostname = "private.lab", sshKeys = new[] { Key } })).Body.GetProperty("id").GetInt64();

        foreach (var response in new[]
                 {
                     await bob.GetAsync($"/api/v1/deployments/{id}"), await bob.PostAsync($"/api/v1/deployments/{id}/cancel", null),
                     await bob.PostAsync($"/api/v1/deployments/{id}/retry", null),
                 })
        {
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains($"There is no deployment {id} that you can see", await response.Content.ReadAsStringAsync());
        }
        Assert.DoesNotContain(id, (await bob.GetFromJsonAsync<JsonElement>("/api/v1/deployments")).EnumerateArray().Select(d => d.GetProperty("id").GetInt64()));
        var (startOnTheirs, refusal) = await StartAsync(bob, new { machineId, profileId, hostname = "stolen.lab" });
        Assert.Equal(HttpStatusCode.Forbidden, startOnTheirs.StatusCode);
        Assert.Contains("api-owner@test.local", refusal.GetProperty("detail").GetString());

        var seen = await op.GetFromJsonAsync<JsonElement>($"/api/v1/deployments/{id}");
        Assert.Equal([Key], seen.GetProperty("sshKeys").Deserialize<string[]>());
        Assert.Contains(id, (await op.GetFromJsonAsync<JsonElement>("/api/v1/deployments")).EnumerateArray().Select(d => d.GetProperty("id").GetInt64()));
        Assert.Equal(HttpStatusCode.OK, (await op.PostAsync($"/api/v1/deployments/{id}/cancel", null)).StatusCode);
        Assert.Equal("Cancelled", (await factory.DeploymentAsync(id)).State.ToString());
    }

    public static TheoryData<string, HttpStatusCode, string> BadStarts => new()
    {
        { """{"machineId": MACHINE, "profileId": 999999, "hostname": "x.lab"}""", HttpStatusCode.BadRequest, "There is no OS profile 999999" },
        { """{"machineId": MACHINE, "profileId": PROFILE, "hostname": "bad_host!"}""", HttpStatusCode.BadRequest, "is not a valid hostname" },
        { """{"machineId": MACHINE, "profileId": PROFILE, "hostname": "x.lab", "sshKeys": ["hunter2"]}""", HttpStatusCode.BadRequest, "does not look like an SSH public key" },
        { """{"machineId": MACHINE, "profileId": PROFILE, "hostname": "x.lab", "parameters": {"1st": "x"}}""", HttpStatusCode.BadRequest, "Parameter name \"1st\"" },
        { """{"machineId": 999999, "profileId": PROFILE, "hostname": "x.lab"}""", HttpStatusCode.NotFound, "No such machine" },
        { """{"machineId": "abc", "profileId": PROFILE, "hostname": "x.lab"}""", HttpStatusCode.BadRequest, "$.machineId" },
        { """{"machineId": -4, "profileId": PROFILE, "hostname": "x.lab"}""", HttpStatusCode.BadRequest, "-4 is not a machine id" },
        { """{"machineId": MACHINE, "machineIds": [MACHINE], "profileId": PROFILE, "hostname": "x.lab"}""", HttpStatusCode.BadRequest, "either machineId" },
        { """{"machineIds": [MACHINE, 999999], "profileId": PROFILE, "hostname": "same.lab"}""", HttpStatusCode.BadRequest, "needs {n} or {name}" },
        { """{"machineIds": [MACHINE, 999999], "profileId": PROFILE, "hostnames": ["a.lab"]}""", HttpStatusCode.BadRequest, "hostnames has 1 entries for 2 machines" },
        { """{"machineId": MACHINE, "hostname": "x.lab"}""", HttpStatusCode.BadRequest, "profileId is required" },
        { """{"machineId": MACHINE, """, HttpStatusCode.BadRequest, "The body is not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(BadStarts))]
    public async Task BadInputIsRefusedWithASpecificMessageAndStartsNothing(string body, HttpStatusCode status, string message)
    {
        var (_, api) = await factory.UserAsync($"api-bad-{Guid.NewGuid():N}"[..16]);
        var machineId = (await factory.ReservedAsync(api))[0];
        var json = body.Replace("MACHINE", machineId.ToString()).Replace("PROFILE", (await factory.LabInstallerIdAsync()).ToString());

        var response = await api.PostAsync("/api/v1/deployments", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(message, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(MachineState.Reserved, await factory.WithDbAsync(db => Task.FromResult(db.Machines.Single(m => m.Id == machineId).State)));
    }

    [Fact]
    public async Task BadIdsAndFiltersAreAnsweredWithAReason()
    {
        var (_, api) = await factory.UserAsync("api-ids");

        var unknown = await api.GetAsync("/api/v1/deployments/999999");
        var garbage = await api.GetAsync("/api/v1/deployments/abc");
        var badState = await api.GetAsync("/api/v1/deployments?state=Bogus");
        var badLimit = await api.GetAsync("/api/v1/deployments?limit=100000");
        var plainText = await api.PostAsync("/api/v1/deployments", new StringContent("machineId=1", Encoding.UTF8, "text/plain"));

        var garbageCancel = await api.PostAsync("/api/v1/deployments/12abc/cancel", null);

        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest, HttpStatusCode.BadRequest),
            (unknown.StatusCode, garbage.StatusCode, garbageCancel.StatusCode, badState.StatusCode, badLimit.StatusCode, plainText.StatusCode));
        Assert.Equal("\"abc\" is not a deployment id (a positive number).", (await garbage.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Contains("\"12abc\" is not a deployment id", (await garbageCancel.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Contains("There is no deployment 999999", await unknown.Content.ReadAsStringAsync());
        Assert.Equal("Unknown state \"Bogus\"; one of Active, Finished, Failed, Cancelled.", (await badState.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Contains("limit must be between 1 and 500", await badLimit.Content.ReadAsStringAsync());
        Assert.Contains("application/json", await plainText.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SeveralMachinesStartFromOnePatternAndARefusedOneIsReportedNotDropped()
    {
        var (_, alice) = await factory.UserAsync("api-batch");
        var (_, bob) = await factory.UserAsync("api-batch-other");
        var mine = await factory.ReservedAsync(alice, 2);
        var theirs = (await factory.ReservedAsync(bob))[0];

        var (response, body) = await StartAsync(alice, new { machineIds = new[] { mine[0], theirs, mine[1] }, profileId = await factory.LabInstallerIdAsync(), hostname = "batch{n}.lab" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal((2, 1), (body.GetProperty("started").GetInt32(), body.GetProperty("failed").GetInt32()));
        var results = body.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal([mine[0], theirs, mine[1]], results.Select(r => r.GetProperty("machineId").GetInt64()));
        Assert.Equal(["batch1.lab", "batch2.lab", "batch3.lab"], results.Select(r => r.GetProperty("hostname").GetString()));
        Assert.Equal(["Started", "Forbidden", "Started"], results.Select(r => r.GetProperty("status").GetString()));
        Assert.Contains("held by api-batch-other@test.local", results[1].GetProperty("error").GetString());
        foreach (var r in results.Where(r => r.GetProperty("deploymentId").ValueKind == JsonValueKind.Number))
            Assert.Equal(HttpStatusCode.OK, (await alice.PostAsync($"/api/v1/deployments/{r.GetProperty("deploymentId").GetInt64()}/cancel", null)).StatusCode);
    }

    [Fact]
    public async Task OsProfilesAreListedWithTheirDefaultsAndTheOpenApiDocumentDescribesTheEndpoints()
    {
        var (_, api) = await factory.UserAsync("api-profiles");

        var profiles = await api.GetFromJsonAsync<JsonElement>("/api/v1/os-profiles");
        var doc = await factory.CreateClient().GetStringAsync("/openapi/v1.json");

        var lab = profiles.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "Lab installer");
        Assert.Equal("1", lab.GetProperty("defaultParameters").GetProperty("install_seconds").GetString());
        Assert.True(lab.GetProperty("setsDiskFirstBootOrder").GetBoolean());
        foreach (var path in new[] { "/api/v1/deployments", "/api/v1/deployments/{id}", "/api/v1/deployments/{id}/cancel", "/api/v1/deployments/{id}/retry", "/api/v1/os-profiles" })
            Assert.Contains($"\"{path}\"", doc);
        foreach (var name in new[] { "StartDeployment", "ListDeployments", "GetDeployment", "CancelDeployment", "RetryDeployment", "ListOsProfiles" })
            Assert.Contains($"\"{name}\"", doc);
        var start = JsonDocument.Parse(doc).RootElement.GetProperty("paths").GetProperty("/api/v1/deployments").GetProperty("post");
        var body = start.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").ToString();
        Assert.Contains("machineIds", body);
        Assert.Contains("hostnames", body);
    }

    private static List<string?> Phases(JsonElement detail) =>
        detail.GetProperty("events").EnumerateArray().Where(e => e.GetProperty("kind").GetString() == "Step").Select(e => e.GetProperty("phase").GetString()).ToList();
}
