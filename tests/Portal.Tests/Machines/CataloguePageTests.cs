using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Bmcs;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Users;
using Portal.Tests.Support;

namespace Portal.Tests.Machines;

/// <summary>The catalogue pages and forms through the real host, the way a browser without JavaScript uses them.</summary>
public sealed class CataloguePageTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    private const string Password = "User-Passw0rd-1";

    private async Task<List<long>> SeedAsync(string prefix, params (int Cores, int Gpus)[] shapes)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var now = DateTimeOffset.UtcNow;
        var bmc = Bmc.Discovered($"02:aa:00:00:{Random.Shared.Next(256):x2}:{Random.Shared.Next(256):x2}", "127.0.0.1", 443, true, now);
        db.Bmcs.Add(bmc);
        await db.SaveChangesAsync();
        var machines = shapes.Select((s, i) =>
        {
            var m = Machine.Discovered(bmc.Id, $"/redfish/v1/Systems/{i}", now);
            m.ApplyFacts(new MachineFacts($"/redfish/v1/Systems/{i}", Guid.NewGuid(), $"{prefix}-{i}", "Dell Inc.", "R750", "x86_64", "UEFI", "1", "AMD EPYC 7763",
                1, s.Cores, s.Cores * 2, 256L << 30, [new MachineDisk("d", "SSD", "NVMe", 960_000_000_000, null)], [],
                Enumerable.Range(0, s.Gpus).Select(_ => new MachineGpu("NVIDIA L40S", "NVIDIA")).ToList(), "Off"), bmc.Id, now);
            m.SetTags([prefix]);
            return db.Machines.Add(m).Entity;
        }).ToList();
        await db.SaveChangesAsync();
        return machines.Select(m => m.Id).ToList();
    }

    private async Task<HttpClient> UserAsync(string name, params string[] roles)
    {
        await factory.CreateUserAsync($"{name}@test.local", Password, roles);
        return await factory.SignedInAsync($"{name}@test.local", Password);
    }

    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string pageUrl, string formSelector, params (string, string)[] fields)
    {
        var page = await client.GetPageAsync(pageUrl);
        var form = page.QuerySelector(formSelector) ?? throw new InvalidOperationException($"No {formSelector} on {pageUrl}");
        var values = form.QuerySelectorAll("input[type=hidden]").Select(i => new KeyValuePair<string, string>(i.GetAttribute("name")!, i.GetAttribute("value") ?? ""))
            .Concat(fields.Select(f => new KeyValuePair<string, string>(f.Item1, f.Item2)));
        return await client.PostAsync(form.GetAttribute("action"), new FormUrlEncodedContent(values));
    }

    [Fact]
    public async Task FiltersWorkAsAPlainGetFormAndShowFacetCounts()
    {
        await SeedAsync("filters", (64, 2), (64, 0), (16, 1));
        var client = await UserAsync("filter-user", Roles.User);

        var page = await client.GetPageAsync("/machines?tag=filters&cores=64&gpus=1");

        var rows = page.QuerySelectorAll("#machines tbody tr");
        Assert.Single(rows);
        Assert.Contains("filters-0", rows[0].TextContent);
        Assert.Equal("1", page.QuerySelector("#f-gpus option[value='1']")!.GetAttribute("data-count"));
        Assert.NotNull(page.QuerySelector("form#filters[method=get][action='/machines']"));
        Assert.NotNull(page.QuerySelector("#clear-filters"));

        var empty = await client.GetPageAsync("/machines?tag=filters&cores=1000");
        Assert.Contains("No machines match these filters", empty.QuerySelector("#catalogue-empty")!.TextContent);
    }

    [Fact]
    public async Task AUserReservesTwoMachinesAndSeesThemUnderMyMachines()
    {
        var ids = await SeedAsync("reserve", (32, 0), (32, 0), (32, 0));
        var client = await UserAsync("reserver", Roles.User);

        var response = await PostFormAsync(client, "/machines?tag=reserve", "#reserve-form", ("pick", ids[0].ToString()), ("pick", ids[1].ToString()), ("hours", "4"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/machines/mine?ok=", response.Headers.Location!.OriginalString);
        var mine = await client.GetPageAsync(response.Headers.Location!.OriginalString);
        Assert.Contains("Reserved 2 machines", mine.QuerySelector("#notice")!.TextContent);
        Assert.Equal(ids.Take(2).Order(), mine.QuerySelectorAll("#my-machines tr[data-machine-id]").Select(r => long.Parse(r.GetAttribute("data-machine-id")!)).Order());
        var catalogue = await client.GetPageAsync("/machines?tag=reserve");
        Assert.Single(catalogue.QuerySelectorAll("#machines tbody tr"));
    }

    [Fact]
    public async Task AConflictingReservationSaysWhoHasTheMachineAndReservesNothing()
    {
        var ids = await SeedAsync("conflict", (8, 0), (8, 0));
        var first = await UserAsync("first", Roles.User);
        var second = await UserAsync("second", Roles.User);
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(first, "/machines?tag=conflict", "#reserve-form", ("pick", ids[1].ToString()))).StatusCode);

        var response = await PostFormAsync(second, "/machines?tag=conflict", "#reserve-form", ("pick", ids[0].ToString()), ("pick", ids[1].ToString()));

        var page = await second.GetPageAsync(response.Headers.Location!.OriginalString);
        Assert.Contains("Nothing was reserved", page.QuerySelector("#notice-error")!.TextContent);
        Assert.Contains("first@test.local", page.QuerySelector("#notice-error")!.TextContent);
        Assert.NotNull(page.QuerySelector($"#machine-row-{ids[0]}"));
    }

    [Fact]
    public async Task OnlyTheHolderOrAnOperatorCanReleaseOrPower()
    {
        var ids = await SeedAsync("authz", (8, 0));
        var holder = await UserAsync("holder", Roles.User);
        var other = await UserAsync("other", Roles.User);
        await PostFormAsync(holder, "/machines?tag=authz", "#reserve-form", ("pick", ids[0].ToString()));

        var detail = await other.GetPageAsync($"/machines/{ids[0]}");
        Assert.Null(detail.QuerySelector("#release"));
        Assert.Empty(detail.QuerySelectorAll("[data-power-action]"));

        // Posting anyway (a crafted request) is refused by the same rules.
        var token = detail.QuerySelector("input[name=__RequestVerificationToken]")?.GetAttribute("value")
            ?? (await other.GetPageAsync("/machines")).QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var release = await other.PostAsync($"/machines/{ids[0]}/release", new FormUrlEncodedContent([new("__RequestVerificationToken", token)]));
        Assert.Contains("error=", release.Headers.Location!.OriginalString);
        var power = await other.PostAsync($"/machines/{ids[0]}/power", new FormUrlEncodedContent([new("__RequestVerificationToken", token), new("action", "On")]));
        Assert.Contains("error=", power.Headers.Location!.OriginalString);

        using var scope = factory.Services.CreateScope();
        var machine = await scope.ServiceProvider.GetRequiredService<AppDbContext>().Machines.SingleAsync(m => m.Id == ids[0]);
        Assert.Equal(MachineState.Reserved, machine.State);
        Assert.Equal("holder@test.local", machine.ReservedByName);

        var holderDetail = await holder.GetPageAsync($"/machines/{ids[0]}");
        Assert.NotNull(holderDetail.QuerySelector("#release"));
        Assert.Equal(5, holderDetail.QuerySelectorAll("[data-power-action]").Length);
    }

    [Fact]
    public async Task TheApiQueriesReservesAndRefusesOthersWithTheSameRules()
    {
        var ids = await SeedAsync("api", (96, 4), (8, 0));
        var alice = await ApiClientAsync("api-alice");
        var bob = await ApiClientAsync("api-bob");

        var catalogue = await alice.GetFromJsonAsync<System.Text.Json.JsonElement>("/api/v1/machines?tag=api&cores=64&sort=cores&dir=desc");
        Assert.Equal(1, catalogue.GetProperty("total").GetInt32());
        Assert.Equal(ids[0], catalogue.GetProperty("machines")[0].GetProperty("id").GetInt64());
        Assert.True(catalogue.GetProperty("facets").GetProperty("gpu").GetArrayLength() > 0);

        var reserve = await alice.PostAsJsonAsync("/api/v1/reservations", new { machineIds = ids, hours = 2 });
        Assert.Equal(HttpStatusCode.OK, reserve.StatusCode);
        var again = await bob.PostAsJsonAsync("/api/v1/reservations", new { machineIds = new[] { ids[0] } });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("already reserved by api-alice@test.local", await again.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.Forbidden, (await bob.PostAsync($"/api/v1/machines/{ids[0]}/release", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.PostAsJsonAsync($"/api/v1/machines/{ids[0]}/power", new { action = "On" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsJsonAsync($"/api/v1/machines/{ids[0]}/extend", new { hours = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alice.PostAsync($"/api/v1/machines/{ids[0]}/release", null)).StatusCode);

        var detail = await alice.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/v1/machines/{ids[0]}");
        Assert.Equal("Available", detail.GetProperty("state").GetString());
        Assert.Equal(4, detail.GetProperty("gpus").GetArrayLength());
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesTheMachineEndpoints()
    {
        var doc = await factory.CreateClient().GetStringAsync("/openapi/v1.json");
        foreach (var path in new[] { "/api/v1/machines", "/api/v1/machines/{id}", "/api/v1/reservations", "/api/v1/machines/{id}/extend",
                     "/api/v1/machines/{id}/release", "/api/v1/machines/{id}/power", "/api/v1/power-operations/{id}" })
            Assert.Contains($"\"{path}\"", doc);
        Assert.Contains("\"QueryCatalogue\"", doc);
    }

    private async Task<HttpClient> ApiClientAsync(string name)
    {
        var user = await factory.CreateUserAsync($"{name}@test.local", Password, Roles.User);
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var (token, secret) = ApiToken.Create(user.Id, "test", DateTimeOffset.UtcNow, null);
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync();
        return factory.Api(secret);
    }
}
