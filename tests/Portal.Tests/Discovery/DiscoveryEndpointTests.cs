using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Credentials;
using Portal.Core.Persistence;
using Portal.Core.Users;
using Portal.Lab;
using Portal.Tests.Support;

namespace Portal.Tests.Discovery;

public sealed class DiscoveryEndpointTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task DiscoveryIsForAdminsOnly()
    {
        await factory.CreateUserAsync("op-disc@test.local", "Operator-Passw0rd", Roles.Operator);
        var op = await factory.SignedInAsync("op-disc@test.local", "Operator-Passw0rd");
        var page = await op.GetAsync("/admin/discovery");
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.StartsWith("/account/access-denied", page.Headers.Location!.PathAndQuery);
        // The htmx fragments and form posts are gone: the page is a circuit, other clients use /api/v1.
        Assert.Equal(HttpStatusCode.NotFound, (await (await factory.SignedInAsync()).GetAsync("/fragments/bmcs")).StatusCode);
    }

    [Fact]
    public async Task TheApiOnboardsByMacAndListsBmcsWithoutCredentials()
    {
        var directory = Directory.CreateTempSubdirectory("portal-api-lab-").FullName;
        await using var lab = await LabFleet.StartAsync(new LabOptions { BmcCount = 2, FirstAddress = "127.0.110.1", OutputDirectory = directory, Seed = 3 });
        var api = await ApiAsync();
        var import = await api.PostAsync("/api/v1/credentials/import", new StringContent(await File.ReadAllTextAsync(lab.CredentialCsvPath), MediaTypeHeaderValue.Parse("text/csv")));
        Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            db.DiscoverySources.Add(Portal.Core.Discovery.DiscoverySource.Create(Portal.Core.Discovery.DiscoverySourceKind.DnsmasqLeases, lab.LeaseFilePath, lab.Port, true, DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
        }

        var badMac = await api.PostAsJsonAsync("/api/v1/bmcs/onboard", new { mac = "12345" });
        var unknown = await api.PostAsJsonAsync("/api/v1/bmcs/onboard", new { mac = "02:00:00:00:12:34" });
        var onboarded = await api.PostAsJsonAsync("/api/v1/bmcs/onboard", new { mac = lab.Bmcs[0].Mac });

        Assert.Equal(HttpStatusCode.BadRequest, badMac.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, onboarded.StatusCode);
        var list = await api.GetStringAsync("/api/v1/bmcs");
        var bmcs = JsonDocument.Parse(list).RootElement.EnumerateArray().ToList();
        var bmc = Assert.Single(bmcs, b => b.GetProperty("status").GetString() == "Reachable");
        Assert.Equal(lab.Bmcs[0].Systems.Count, bmc.GetProperty("machines").GetInt32());
        Assert.DoesNotContain(lab.Bmcs[0].Password, list);
        Directory.Delete(directory, true);
    }

    [Fact]
    public async Task ASourceWhosePasswordCannotBeDecryptedIsAnIssueOfItsOwnAndNoFileOutsideTheLeaseDirectoriesIsRead()
    {
        var api = await ApiAsync();
        long broken, shadow;
        using (var scope = factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            // A manual login whose stored password no key can decrypt (a replaced key ring).
            var address = Portal.Core.Discovery.DiscoverySource.Create(Portal.Core.Discovery.DiscoverySourceKind.Address, "127.0.99.250", 443, true, DateTimeOffset.UtcNow, "root", "not-a-protected-payload");
            // As a row written before lease directories existed would be: the form refuses it now.
            var secrets = Portal.Core.Discovery.DiscoverySource.Create(Portal.Core.Discovery.DiscoverySourceKind.IscLeases, "/etc/shadow", 443, true, DateTimeOffset.UtcNow);
            db.DiscoverySources.AddRange(address, secrets);
            await db.SaveChangesAsync();
            (broken, shadow) = (address.Id, secrets.Id);
        }
        try
        {
            Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync("/api/v1/discovery/runs", null)).StatusCode);
            var finished = await CurrentRunAsync(api, "Finished");
            var issues = finished.GetProperty("issues").EnumerateArray().Select(i => i.GetString()!).ToList();
            Assert.Contains(issues, i => i.StartsWith("Address 127.0.99.250 (manual login): the stored password cannot be decrypted", StringComparison.Ordinal));
            Assert.Contains(issues, i => i.StartsWith("Lease file /etc/shadow: is outside the lease directories", StringComparison.Ordinal));
            Assert.DoesNotContain(issues, i => i.Contains("root:", StringComparison.Ordinal) || i.Contains('$'));
        }
        finally
        {
            await SetEnabledAsync(broken, false);
            await SetEnabledAsync(shadow, false);
        }
    }

    [Fact]
    public async Task ARunThatStopsOnAnErrorIsShownAsFailedWithItsReason()
    {
        var api = await ApiAsync();
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        // A row no version of Portal wrote (changed by hand in SQL): reading the sources cannot go on.
        var id = await db.Database.SqlQuery<long>($"""
            INSERT INTO "DiscoverySources" ("Kind", "Value", "Port", "UseHttps", "Enabled", "CreatedAt")
            VALUES ('CarrierPigeon', 'loft 7', 443, true, true, now()) RETURNING "Id" AS "Value"
            """).ToListAsync();
        try
        {
            Assert.Equal(HttpStatusCode.Accepted, (await api.PostAsync("/api/v1/discovery/runs", null)).StatusCode);
            var failed = await CurrentRunAsync(api, "Failed");
            Assert.StartsWith("The run stopped: ", failed.GetProperty("error").GetString());
            Assert.True(failed.GetProperty("finished").GetBoolean());
        }
        finally
        {
            await db.Database.ExecuteSqlAsync($"""DELETE FROM "DiscoverySources" WHERE "Id" = {id.Single()}""");
        }
    }

    private static async Task<JsonElement> CurrentRunAsync(HttpClient api, string state)
    {
        JsonElement current = default;
        await Portal.TestSupport.Eventually.TrueAsync(async () =>
        {
            var response = await api.GetAsync("/api/v1/discovery/runs/current");
            if (response.StatusCode != HttpStatusCode.OK) return false;
            current = await response.Content.ReadFromJsonAsync<JsonElement>();
            return current.GetProperty("state").GetString() == state;
        }, $"the current discovery run is {state}");
        return current;
    }

    private async Task SetEnabledAsync(long sourceId, bool enabled)
    {
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        (await db.DiscoverySources.FindAsync(sourceId))!.Enable(enabled);
        await db.SaveChangesAsync();
    }

    private async Task<HttpClient> ApiAsync() =>
        factory.Api(await (await factory.SignedInAsync()).CreateTokenAsync("discovery-" + Guid.NewGuid().ToString("N")[..6]));
}
