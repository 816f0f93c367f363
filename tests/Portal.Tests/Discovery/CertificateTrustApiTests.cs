using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Persistence;
using Portal.Core.Users;
using Portal.Tests.Support;

namespace Portal.Tests.Discovery;

/// <summary>POST /api/v1/bmcs/{id}/certificate/trust against a really re-certified lab BMC.</summary>
public sealed class CertificateTrustApiTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task TrustingThePresentedThumbprintMakesTheBmcReachableAgain()
    {
        await using var lab = await RecertifiedLab.StartAsync(factory, "127.0.34.1");
        var api = await AdminApiAsync();
        var shown = await api.GetFromJsonAsync<JsonObject>($"/api/v1/bmcs/{lab.BmcId}");
        Assert.Equal("TlsCertificateChanged", shown!["bmc"]!["status"]!.GetValue<string>());
        Assert.Equal(lab.Presented, shown["bmc"]!["presentedCertificateSha256"]!.GetValue<string>());
        Assert.Equal(lab.Pinned, shown["bmc"]!["pinnedCertificateSha256"]!.GetValue<string>());

        using var trusted = await api.PostAsJsonAsync($"/api/v1/bmcs/{lab.BmcId}/certificate/trust", new { sha256 = lab.Presented });

        Assert.Equal(HttpStatusCode.OK, trusted.StatusCode);
        Assert.Contains("it is Reachable again", (await trusted.Content.ReadFromJsonAsync<JsonObject>())!["message"]!.GetValue<string>());
        var after = await api.GetFromJsonAsync<JsonObject>($"/api/v1/bmcs/{lab.BmcId}");
        Assert.Equal("Reachable", after!["bmc"]!["status"]!.GetValue<string>());
        Assert.Equal(lab.Presented, after["bmc"]!["pinnedCertificateSha256"]!.GetValue<string>());
        using var scope = factory.Services.CreateScope();
        var audit = await scope.ServiceProvider.GetRequiredService<AppDbContext>().AuditEvents
            .SingleAsync(a => a.Action == "bmc.certificate-trusted" && a.Summary.Contains(lab.Presented));
        Assert.Equal(PortalFactory.AdminEmail, audit.ActorName);
    }

    [Fact]
    public async Task AWrongOrStaleThumbprintIsRefusedAndNothingIsPinned()
    {
        await using var lab = await RecertifiedLab.StartAsync(factory, "127.0.34.2");
        var api = await AdminApiAsync();

        using var wrong = await api.PostAsJsonAsync($"/api/v1/bmcs/{lab.BmcId}/certificate/trust", new { sha256 = lab.Pinned });
        using var malformed = await api.PostAsJsonAsync($"/api/v1/bmcs/{lab.BmcId}/certificate/trust", new { sha256 = "not-a-thumbprint" });
        using var missing = await api.PostAsJsonAsync("/api/v1/bmcs/999999999/certificate/trust", new { sha256 = lab.Presented });

        Assert.Equal(HttpStatusCode.Conflict, wrong.StatusCode);
        Assert.Contains($"now presents SHA-256 {lab.Presented}", (await wrong.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Contains("Not a SHA-256 thumbprint", (await malformed.Content.ReadFromJsonAsync<JsonObject>())!["detail"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var bmc = await api.GetFromJsonAsync<JsonObject>($"/api/v1/bmcs/{lab.BmcId}");
        Assert.Equal("TlsCertificateChanged", bmc!["bmc"]!["status"]!.GetValue<string>());
        Assert.Equal(lab.Pinned, bmc["bmc"]!["pinnedCertificateSha256"]!.GetValue<string>());
    }

    [Fact]
    public async Task OperatorsMayNotTrustCertificates()
    {
        await factory.CreateUserAsync("op-trust@test.local", "Operator-Passw0rd", Roles.Operator);
        var api = factory.Api(await factory.CreateTokenAsync("op-trust@test.local", "op-trust"));

        using var response = await api.PostAsJsonAsync("/api/v1/bmcs/1/certificate/trust", new { sha256 = new string('A', 64) });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesTheOperation()
    {
        var doc = await factory.CreateClient().GetFromJsonAsync<JsonObject>("/openapi/v1.json");
        var operation = doc!["paths"]!["/api/v1/bmcs/{id}/certificate/trust"]!["post"]!;
        Assert.Equal("TrustBmcCertificate", operation["operationId"]!.GetValue<string>());
        Assert.Contains("409", operation["responses"]!.AsObject().Select(r => r.Key));
    }

    private async Task<HttpClient> AdminApiAsync() =>
        factory.Api(await factory.CreateTokenAsync(PortalFactory.AdminEmail, "trust-" + Guid.NewGuid().ToString("N")[..6]));
}
