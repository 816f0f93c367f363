using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Portal.Account;
using Portal.Api;
using Portal.Core.Catalogue;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Power;
using Portal.Core.Provisioning.Workflow;
using Portal.Core.Reservations;

namespace Portal.Machines;

/// <summary>/api/v1: the catalogue query, machine detail, reservations and power — the same Core code as the pages.</summary>
internal static class MachineApi
{
    /// <summary>The catalogue's URL parameters, declared so the OpenAPI document lists them (values are read by <see cref="CatalogueQuery.Parse(IEnumerable{KeyValuePair{string, Microsoft.Extensions.Primitives.StringValues}})"/>).</summary>
    public sealed record CatalogueParameters(
        string[]? State, string? Arch, int? Cores, int? Threads, int? Memory, string? Cpu, string? Disk, int? Storage, string? Gpu,
        int? Gpus, long? Nic, string? Vendor, string? Model, string[]? Tag, string? Sort, string? Dir, int? Page, int? Size);

    public sealed record CatalogueResponse(int Total, int Page, int PageSize, int PageCount, IReadOnlyList<CatalogueRow> Machines,
        IReadOnlyDictionary<string, IReadOnlyList<FacetValue>> Facets);

    public sealed record MachineResponse(
        long Id, string Name, [property: System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<MachineState>))] MachineState State, string PowerState, string? Manufacturer, string? Model, string? Serial, Guid? Uuid,
        string? Architecture, string? CpuModel, int CpuSockets, int CpuCores, int CpuThreads, long MemoryBytes,
        IReadOnlyList<MachineDisk> Disks, IReadOnlyList<MachineNic> Nics, IReadOnlyList<MachineGpu> Gpus, IReadOnlyList<string> Tags,
        string? ReservedBy, DateTimeOffset? ReservedUntil, string? MaintenanceReason, IReadOnlyList<string> PowerActions,
        BmcSummary? Bmc);

    public sealed record BmcSummary(string Address, int Port, string Mac, string? Vendor, string? Model, string Status, string? LastError);

    public sealed record ReserveRequest(long[] MachineIds, int? Hours);
    public sealed record ExtendRequest(int? Hours);
    public sealed record ReleaseRequest(long? WipeProfileId);
    public sealed record ReleaseResponse(string Message, long? DeploymentId);
    public sealed record PowerRequest(string Action);
    public sealed record MessageResponse(string Message);
    public sealed record PowerOperationResponse(long Id, long MachineId, string Action, string Status, string ExpectedState, string? FinalPowerState,
        string? Error, DateTimeOffset RequestedAt, DateTimeOffset? CompletedAt);

    public static void MapMachineApi(this WebApplication app)
    {
        // Same conventions as the /api/v1 group in ApiSetup: API tokens only, no cookie, so no antiforgery.
        var api = app.MapGroup("/api/v1").RequireAuthorization(IdentitySetup.ApiPolicy).DisableAntiforgery().WithTags("Machines");

        api.MapGet("/machines", async Task<Results<Ok<CatalogueResponse>, BadRequest<ApiProblem>>> ([AsParameters] CatalogueParameters _, HttpContext http, MachineCatalogue catalogue) =>
            {
                if (CatalogueQuery.Problem(http.Request.Query) is { } problem) return TypedResults.BadRequest(new ApiProblem(problem));
                var page = await catalogue.SearchAsync(CatalogueQuery.Parse(http.Request.Query), http.RequestAborted);
                return TypedResults.Ok(new CatalogueResponse(page.Total, page.Query.Page, page.Query.PageSize, page.PageCount, page.Rows, page.Facets.Values));
            })
            .WithName("QueryCatalogue")
            .WithSummary("Filtered, sorted, paged machines with facet counts. State defaults to Available (state=any: every state but Maintenance); memory in GiB, storage in GB, nic in Mb/s; tag may repeat (all must match); sort = name|cpu|cores|threads|memory|gpus|storage|nic|vendor|arch|state|power, dir = asc|desc.");

        api.MapGet("/machines/{id:long}", async Task<Results<Ok<MachineResponse>, NotFound<ApiProblem>>> (long id, AppDbContext db) =>
                await db.Machines.AsNoTracking().Include(m => m.Bmc).SingleOrDefaultAsync(m => m.Id == id) is { } m
                    ? TypedResults.Ok(ToResponse(m)) : TypedResults.NotFound(new ApiProblem($"There is no machine {id}.")))
            .WithName("GetMachine").WithSummary("All hardware facts, BMC status, power state, reservation and the power actions its BMC allows.");

        api.MapPost("/reservations", async Task<Results<Ok<MessageResponse>, BadRequest<ApiProblem>, NotFound<ApiProblem>, Conflict<ApiProblem>, JsonHttpResult<ApiProblem>>> (
                ReserveRequest request, HttpContext http, Reservations reservations) =>
                ToResult(await reservations.ReserveAsync(request.MachineIds ?? [], request.Hours, http.ToRequester(), http.RequestAborted)))
            .WithName("ReserveMachines").WithSummary("Reserve one or more machines for `hours` (default and maximum set by the Admin). All or nothing: 409 lists every conflict and nothing is reserved.");

        api.MapPost("/machines/{id:long}/extend", async Task<Results<Ok<MessageResponse>, BadRequest<ApiProblem>, NotFound<ApiProblem>, Conflict<ApiProblem>, JsonHttpResult<ApiProblem>>> (
                long id, ExtendRequest request, HttpContext http, Reservations reservations) =>
                ToResult(await reservations.ExtendAsync(id, request.Hours, http.ToRequester(), http.RequestAborted)))
            .WithName("ExtendReservation").WithSummary("Push the reservation's end out by `hours` (never beyond the maximum from now). Holder, Operators and Admins.");

        api.MapPost("/machines/{id:long}/release", async Task<Results<Ok<ReleaseResponse>, BadRequest<ApiProblem>, NotFound<ApiProblem>, Conflict<ApiProblem>, JsonHttpResult<ApiProblem>>> (
                long id, ReleaseRequest? request, HttpContext http, ProvisioningService provisioning) =>
            {
                var started = await provisioning.ReleaseAsync(id, request?.WipeProfileId, http.ToRequester(), http.RequestAborted);
                var outcome = started.Outcome;
                return outcome.Succeeded ? TypedResults.Ok(new ReleaseResponse(outcome.Message, started.DeploymentId)) : outcome.Status switch
                {
                    OutcomeStatus.NotFound => TypedResults.NotFound(new ApiProblem(outcome.Message)),
                    OutcomeStatus.Forbidden => TypedResults.Json(new ApiProblem(outcome.Message), statusCode: StatusCodes.Status403Forbidden),
                    OutcomeStatus.Conflict => TypedResults.Conflict(new ApiProblem(outcome.Message, outcome.Conflicts)),
                    _ => TypedResults.BadRequest(new ApiProblem(outcome.Message)),
                };
            })
            .WithName("ReleaseMachine").WithSummary("Give a machine back. Holder, Operators and Admins; 403 for anyone else. A reserved machine is released at once; "
                + "a deployed or failed one goes through a release run (optionally a wipe with `wipeProfileId`, then a power-off) whose timeline is the returned deployment.");

        api.MapPost("/machines/{id:long}/power", async Task<Results<Accepted<PowerOperationResponse>, BadRequest<ApiProblem>, NotFound<ApiProblem>, Conflict<ApiProblem>, JsonHttpResult<ApiProblem>>> (
                long id, PowerRequest request, HttpContext http, PowerControl power, AppDbContext db) =>
            {
                if (!PowerActions.TryParse(request.Action, out var action))
                    return TypedResults.BadRequest(new ApiProblem($"Unknown action \"{request.Action}\"; one of {string.Join(", ", PowerActions.All)}."));
                var requested = await power.RequestAsync(id, action, http.ToRequester(), http.RequestAborted);
                if (requested.OperationId is not { } operationId) return ToErrorResult(requested.Outcome);
                var operation = await db.PowerOperations.AsNoTracking().SingleAsync(o => o.Id == operationId);
                return TypedResults.Accepted($"/api/v1/power-operations/{operationId}", ToResponse(operation));
            })
            .WithName("PowerMachine").WithSummary("Run a power action (On, GracefulShutdown, ForceOff, ForceRestart, PowerCycle — those the BMC allows) as a background job; poll the returned operation.");

        api.MapGet("/power-operations/{id:long}", async Task<Results<Ok<PowerOperationResponse>, NotFound<ApiProblem>>> (long id, AppDbContext db) =>
                await db.PowerOperations.AsNoTracking().SingleOrDefaultAsync(o => o.Id == id) is { } o ? TypedResults.Ok(ToResponse(o)) : TypedResults.NotFound(new ApiProblem($"There is no power operation {id}.")))
            .WithName("GetPowerOperation").WithSummary("A power action's status: Pending, Running, Succeeded or Failed (with the reason).");
    }

    /// <summary>The API's one answer to a Core <see cref="Outcome"/> (other features' endpoints use it too).</summary>
    internal static Results<Ok<MessageResponse>, BadRequest<ApiProblem>, NotFound<ApiProblem>, Conflict<ApiProblem>, JsonHttpResult<ApiProblem>> ToResult(Outcome outcome) =>
        outcome.Succeeded ? TypedResults.Ok(new MessageResponse(outcome.Message)) : outcome.Status switch
        {
            OutcomeStatus.NotFound => TypedResults.NotFound(new ApiProblem(outcome.Message)),
            OutcomeStatus.Forbidden => TypedResults.Json(new ApiProblem(outcome.Message), statusCode: StatusCodes.Status403Forbidden),
            OutcomeStatus.Conflict => TypedResults.Conflict(new ApiProblem(outcome.Message, outcome.Conflicts)),
            _ => TypedResults.BadRequest(new ApiProblem(outcome.Message)),
        };

    private static Results<Accepted<PowerOperationResponse>, BadRequest<ApiProblem>, NotFound<ApiProblem>, Conflict<ApiProblem>, JsonHttpResult<ApiProblem>> ToErrorResult(Outcome outcome) => outcome.Status switch
    {
        OutcomeStatus.NotFound => TypedResults.NotFound(new ApiProblem(outcome.Message)),
        OutcomeStatus.Forbidden => TypedResults.Json(new ApiProblem(outcome.Message), statusCode: StatusCodes.Status403Forbidden),
        OutcomeStatus.Conflict => TypedResults.Conflict(new ApiProblem(outcome.Message, outcome.Conflicts)),
        _ => TypedResults.BadRequest(new ApiProblem(outcome.Message)),
    };

    private static MachineResponse ToResponse(Machine m) => new(
        m.Id, m.Name, m.State, m.PowerState, m.Manufacturer, m.Model, m.Serial, m.Uuid, m.Architecture, m.CpuModel, m.CpuSockets, m.CpuCores,
        m.CpuThreads, m.MemoryBytes, m.Disks, m.Nics, m.Gpus, m.Tags, m.ReservedByName, m.ReservedUntil, m.MaintenanceReason,
        PowerActions.AllowedFor(m.ResetTypes).Select(a => a.ToString()).ToList(),
        m.Bmc is { } b ? new BmcSummary(b.Address, b.Port, b.Mac, b.Vendor, b.Model, b.Status.ToString(), b.LastError) : null);

    private static PowerOperationResponse ToResponse(PowerOperation o) => new(
        o.Id, o.MachineId, o.Action, o.Status.ToString(), o.ExpectedState, o.FinalPowerState, o.Error, o.RequestedAt, o.CompletedAt);
}
