using Portal.Account;
using Portal.Admin;
using Portal.Discovery;
using Portal.Credentials;
using Portal.Fleet;
using Portal.Netboot;

namespace Portal.Api;

internal static class ApiSetup
{
    public static void AddPortalApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddScoped<FleetApply>();
        builder.Services.AddOpenApi("v1", o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "Portal API";
            doc.Info.Description = "Bare-metal provisioning portal. Authenticate with a personal API token: `Authorization: Bearer pt_…` (create one on your profile page).";
            return Task.CompletedTask;
        }));
    }

    /// <summary>
    /// /api/v1 takes personal API tokens only, never the browser cookie: no cookie means no
    /// cross-site request forgery on the API.
    /// </summary>
    public static void MapPortalApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        var api = app.MapGroup("/api/v1").RequireAuthorization(IdentitySetup.ApiPolicy).DisableAntiforgery();
        api.MapMeEndpoints();
        api.MapTokenEndpoints();
        api.MapAuditEndpoints();
        api.MapUserApi();
        api.MapDiscoveryApi();
        api.MapCredentialApi();
        api.MapDhcpApi();
        api.MapFleetApi();
    }
}
