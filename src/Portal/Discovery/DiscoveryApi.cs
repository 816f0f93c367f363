using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portal.Account;
using Portal.Api;
using Portal.Core.Auditing;
using Portal.Core.Bmcs;
using Portal.Core.Discovery.Runs;
using Portal.Core.Persistence;
using Portal.Machines;

namespace Portal.Discovery;

internal static class DiscoveryApi
{
    public sealed record BmcResponse(long Id, string Mac, string Address, int Port, bool UseHttps, string? Vendor, string? Model, string? Firmware,
        string Status, string? LastError, DateTimeOffset? LastSeenAt, DateTimeOffset? LastInventoryAt, string CredentialSource, int Machines,
        string? PinnedCertificateSha256, string? PresentedCertificateSha256);
    public sealed record BmcMachine(long Id, string Name, Guid? Uuid, string? Serial, string? Manufacturer, string? Model, int CpuCores, long MemoryBytes, int GpuCount, string PowerState, string State);
    public sealed record BmcDetailResponse(BmcResponse Bmc, IReadOnlyList<BmcMachine> Machines);
    public sealed record OnboardRequest(string Mac);
    /// <summary>The SHA-256 the admin compared with the one the BMC presents (64 hex digits, colons allowed).</summary>
    public sealed record TrustCertificateRequest(string? Sha256);

    public static void MapDiscoveryApi(this RouteGroupBuilder api)
    {
        var discovery = api.MapGroup("/discovery").WithTags("Discovery").RequireAuthorization(IdentitySetup.AdminPolicy);

        discovery.MapPost("/runs", Results<Accepted<DiscoveryProgress>, Conflict<ApiProblem>> (DiscoveryRunner runner, DiscoveryProgressStore store, IHostApplicationLifetime life, ClaimsPrincipal user, HttpContext http) =>
            runner.TryStartInBackground(Actor(user, http), life.ApplicationStopping)
                ? TypedResults.Accepted("/api/v1/discovery/runs/current", store.Current)
                : TypedResults.Conflict(new ApiProblem("A discovery run is already in progress.")))
            .WithName("StartDiscovery").WithSummary("Start a discovery run over every enabled source; follow it at /discovery/runs/current.");

        discovery.MapGet("/runs/current", Results<Ok<DiscoveryProgress>, NotFound<ApiProblem>> (DiscoveryProgressStore store) =>
            store.Current is { } p ? TypedResults.Ok(p) : TypedResults.NotFound(new ApiProblem("No discovery has run on this instance since it started.")))
            .WithName("GetCurrentDiscovery").WithSummary("Progress of the latest discovery run on this instance.");

        var bmcs = api.MapGroup("/bmcs").WithTags("BMCs").RequireAuthorization(IdentitySetup.OperatorPolicy);

        bmcs.MapGet("/", async Task<Ok<List<BmcResponse>>> (AppDbContext db, HttpContext http) =>
            TypedResults.Ok((await db.BmcRowsAsync(http.RequestAborted)).Select(r => ToResponse(r.Bmc, r.Machines)).ToList()))
            .WithName("ListBmcs").WithSummary("Every BMC with its status and why it is not usable. Never credentials.");

        bmcs.MapGet("/{id:long}", async Task<Results<Ok<BmcDetailResponse>, NotFound<ApiProblem>>> (long id, AppDbContext db) =>
        {
            var bmc = await db.Bmcs.AsNoTracking().SingleOrDefaultAsync(b => b.Id == id);
            if (bmc is null) return TypedResults.NotFound(new ApiProblem($"There is no BMC {id}."));
            var machines = await db.Machines.AsNoTracking().Where(m => m.BmcId == id).OrderBy(m => m.Id)
                .Select(m => new BmcMachine(m.Id, m.Name, m.Uuid, m.Serial, m.Manufacturer, m.Model, m.CpuCores, m.MemoryBytes, m.GpuCount, m.PowerState, m.State.ToString()))
                .ToListAsync();
            return TypedResults.Ok(new BmcDetailResponse(ToResponse(bmc, machines.Count), machines));
        }).WithName("GetBmc").WithSummary("One BMC and the machines it manages.");

        bmcs.MapPost("/onboard", async Task<Results<Ok<DiscoveryProgress>, BadRequest<ApiProblem>, NotFound<ApiProblem>>> (
            OnboardRequest request, DiscoveryRunner runner, ClaimsPrincipal user, HttpContext http) =>
        {
            if (!MacAddress.TryParse(request.Mac, out var mac, out var error)) return TypedResults.BadRequest(new ApiProblem($"Not a MAC address: {error}"));
            var result = await runner.OnboardByMacAsync(mac, Actor(user, http), http.RequestAborted);
            return result.Total == 0
                ? TypedResults.NotFound(new ApiProblem(result.Issues.Count > 0 ? string.Join(" ", result.Issues) : $"No lease for {mac} in any lease-file source."))
                : TypedResults.Ok(result);
        }).RequireAuthorization(IdentitySetup.AdminPolicy)
          .WithName("OnboardBmcByMac").WithSummary("Find the BMC's address in the lease-file sources and onboard it now.");

        bmcs.MapPost("/{id:long}/rediscover", async Task<Results<Ok<DiscoveryProgress>, NotFound<ApiProblem>>> (
            long id, AppDbContext db, DiscoveryRunner runner, ClaimsPrincipal user, HttpContext http) =>
                await db.Bmcs.AsNoTracking().SingleOrDefaultAsync(b => b.Id == id) is { } bmc
                    ? TypedResults.Ok(await runner.RediscoverAsync(bmc, Actor(user, http), http.RequestAborted))
                    : TypedResults.NotFound(new ApiProblem($"There is no BMC {id}.")))
          .RequireAuthorization(IdentitySetup.AdminPolicy)
          .WithName("RediscoverBmc").WithSummary("Onboard one known BMC again at its last address now (log in, walk its systems, update its machines); answers with the run's counts and issues.");

        bmcs.MapPost("/{id:long}/certificate/trust", async Task<Results<Ok<MachineApi.MessageResponse>, BadRequest<ApiProblem>, NotFound<ApiProblem>, Conflict<ApiProblem>, JsonHttpResult<ApiProblem>>> (
            long id, TrustCertificateRequest request, BmcCertificateTrust trust, ClaimsPrincipal user, HttpContext http) =>
            MachineApi.ToResult(await trust.TrustPresentedCertificateAsync(id, request.Sha256, Actor(user, http), http.RequestAborted)))
          .RequireAuthorization(IdentitySetup.AdminPolicy)
          .WithName("TrustBmcCertificate")
          .WithSummary("Confirm and re-pin a BMC in TlsCertificateChanged: pins the certificate it presents, only if `sha256` is that one (409 when it is not, or the certificate did not change), audits it and inventories the BMC again.");
    }

    private static BmcResponse ToResponse(Bmc b, int machines) => new(b.Id, b.Mac, b.Address, b.Port, b.UseHttps, b.Vendor, b.Model, b.Firmware,
        b.Status.ToString(), b.LastError, b.LastSeenAt, b.LastInventoryAt, b.CredentialSource.ToString(), machines,
        b.PinnedCertificateSha256, b.PresentedCertificateSha256);

    private static Actor Actor(ClaimsPrincipal user, HttpContext http) =>
        new(user.FindFirstValue(ClaimTypes.NameIdentifier), user.Identity?.Name ?? "api", http.Connection.RemoteIpAddress?.ToString());
}
