using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Persistence;
using Portal.Core.Users;
using Portal.Tests.Support;

namespace Portal.Tests.Machines;

/// <summary>The machine API (/api/v1) through the real host, with API tokens.</summary>
public sealed class MachineApiTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task TheApiQueriesReservesAndRefusesOthersWithTheSameRules()
    {
        var ids = await factory.SeedMachinesAsync("api", (96, 4), (8, 0));
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
        var user = await factory.CreateUserAsync($"{name}@test.local", MachineSeed.Password, Roles.User);
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var (token, secret) = ApiToken.Create(user.Id, "test", DateTimeOffset.UtcNow, null);
        db.ApiTokens.Add(token);
        await db.SaveChangesAsync();
        return factory.Api(secret);
    }
}
