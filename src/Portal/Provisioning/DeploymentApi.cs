using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.OpenApi;
using Portal.Account;
using Portal.Api;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;
using Portal.Core.Provisioning.Workflow;
using Portal.Core.Reservations;
using Portal.Machines;
using static Portal.Machines.MachineApi;

namespace Portal.Provisioning;

/// <summary>/api/v1: start, list, read (with the timeline), cancel and retry deployments, and the OS profiles to start them with.</summary>
internal static class DeploymentApi
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    /// <summary>
    /// One machine (<c>machineId</c> + <c>hostname</c>) or several (<c>machineIds</c> + a <c>hostname</c> pattern with {n} or {name},
    /// or one <c>hostnames</c> entry per machine). Parameters override the profile's defaults.
    /// </summary>
    public sealed record StartDeploymentRequest(long? MachineId, long[]? MachineIds, long? ProfileId, string? Hostname, string[]? Hostnames,
        string[]? SshKeys, Dictionary<string, string>? Parameters);

    public sealed record DeploymentSummary(long Id, long MachineId, string Machine, string Hostname, long? ProfileId, string? Profile, string RequestedBy,
        string State, string? Step, string? StepLabel, int? Attempt, DateTimeOffset? Deadline, string? LastError, string? FailureReason,
        DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt, int Percent);

    /// <summary>
    /// One entry. <c>Percent</c> is what the entry itself said (an installer's own number); <c>RunPercent</c>
    /// how far the whole run was then, which never goes back.
    /// </summary>
    public sealed record TimelineEvent(long Id, DateTimeOffset At, string Kind, string Phase, string Message, int? Percent, JsonElement? Facts,
        double SincePreviousSeconds, double SinceStartSeconds, int? RunPercent);

    /// <summary>The served files, SSH keys and parameters are null unless the caller started the deployment or is an Operator or Admin.</summary>
    public sealed record DeploymentDetail(long Id, long MachineId, string Machine, string Hostname, long? ProfileId, string? Profile, string RequestedBy,
        string State, string? Step, string? StepLabel, int? Attempt, DateTimeOffset? Deadline, string? LastError, string? FailureReason,
        DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt, int Percent, IReadOnlyList<string>? SshKeys, IReadOnlyDictionary<string, string>? Parameters,
        DateTimeOffset? RenderedAt, string? IpxeScript, string? Config, IReadOnlyList<TimelineEvent> Events);

    public sealed record MachineStartResult(long MachineId, string Machine, string Hostname, long? DeploymentId, string Status, string? Error);
    public sealed record BatchStartResponse(int Started, int Failed, IReadOnlyList<MachineStartResult> Results);

    public sealed record OsProfileResponse(long Id, string Name, string InstallerKind, string KernelUrl, IReadOnlyList<string> InitrdUrls, string KernelArgs,
        string TemplateName, IReadOnlyDictionary<string, string> DefaultParameters, bool BuiltIn, bool SetsDiskFirstBootOrder);

    public static void MapDeploymentApi(this WebApplication app)
    {
        // Same conventions as the /api/v1 group in ApiSetup: API tokens only, no cookie, so no antiforgery.
        var api = app.MapGroup("/api/v1").RequireAuthorization(IdentitySetup.ApiPolicy).DisableAntiforgery().WithTags("Deployments");

        api.MapPost("/deployments", StartAsync)
            // The body is read by hand (see StartAsync); this tells the OpenAPI document what it is, without
            // Accepts metadata, which would turn a wrong content type into a bare 415 instead of a message.
            .AddOpenApiOperationTransformer(async (operation, context, ct) => operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(StartDeploymentRequest), null, ct) },
                },
            })
            .WithName("StartDeployment")
            .WithSummary("Provision reserved or deployed machines you hold (Operators: any held machine). With machineId: 201 and the deployment, or 400/403/404/409 with the reason. "
                + "With machineIds: 200 and one result per machine (each started or refused with its reason); a refused machine does not stop the others.");

        api.MapGet("/deployments", ListAsync)
            .WithName("ListDeployments")
            .WithSummary("Newest first. state may repeat (Active, Finished, Failed, Cancelled); limit defaults to 50 (at most 500). Users see the deployments they started or whose machine they hold; Operators and Admins see all.");

        api.MapGet("/deployments/{id:long}", async Task<Results<Ok<DeploymentDetail>, NotFound<ApiProblem>>> (long id, HttpContext http, AppDbContext db) =>
                await DeploymentDetails.LoadAsync(db, id, http.ToRequester(), http.RequestAborted) is { } details
                    ? TypedResults.Ok(ToDetail(details)) : TypedResults.NotFound(NoSuch(id)))
            .WithName("GetDeployment")
            .WithSummary("The deployment with its current step and its whole timeline (steps, netboot fetches, installer events) with durations; the iPXE script and config as served, for the requester, Operators and Admins.");

        api.MapPost("/deployments/{id:long}/cancel", async Task<Results<Ok<MessageResponse>, NotFound<ApiProblem>, Conflict<ApiProblem>, JsonHttpResult<ApiProblem>>> (
                long id, HttpContext http, AppDbContext db, DeploymentRuns runs) =>
            {
                var who = http.ToRequester();
                if (!await Visible(db, id, who, http.RequestAborted)) return TypedResults.NotFound(NoSuch(id));
                var outcome = await runs.CancelAsync(id, who, http.RequestAborted);
                return outcome.Status switch
                {
                    OutcomeStatus.Done => TypedResults.Ok(new MessageResponse(outcome.Message)),
                    OutcomeStatus.NotFound => TypedResults.NotFound(new ApiProblem(outcome.Message)),
                    OutcomeStatus.Conflict => TypedResults.Conflict(new ApiProblem(outcome.Message)),
                    var status => Error(status, outcome.Message),
                };
            })
            .WithName("CancelDeployment").WithSummary("Stop an active run at whatever step it is in; the machine stays with its holder (Reserved). 409 when it already ended.");

        api.MapPost("/deployments/{id:long}/retry", async Task<Results<Created<DeploymentSummary>, NotFound<ApiProblem>, Conflict<ApiProblem>, JsonHttpResult<ApiProblem>>> (
                long id, HttpContext http, AppDbContext db, ProvisioningService provisioning) =>
            {
                var who = http.ToRequester();
                if (!await Visible(db, id, who, http.RequestAborted)) return TypedResults.NotFound(NoSuch(id));
                var retried = await provisioning.RetryAsync(id, who, http.RequestAborted);
                if (retried.DeploymentId is { } next) return TypedResults.Created($"/api/v1/deployments/{next}", await SummaryAsync(db, next, who, http.RequestAborted));
                return retried.Outcome.Status switch
                {
                    OutcomeStatus.NotFound => TypedResults.NotFound(new ApiProblem(retried.Outcome.Message)),
                    OutcomeStatus.Conflict => TypedResults.Conflict(new ApiProblem(retried.Outcome.Message)),
                    var status => Error(status, retried.Outcome.Message),
                };
            })
            .WithName("RetryDeployment").WithSummary("Start a failed deployment again from the beginning, as a new deployment with the same inputs (201 with it). 409 unless the deployment and its machine are Failed and it is the machine's latest.");

        api.MapGet("/deployments/{id:long}/events", DeploymentEventStream.StreamAsync)
            .Produces<string>(StatusCodes.Status200OK, "text/event-stream")
            .WithName("StreamDeploymentEvents")
            .WithSummary("The deployment's timeline as server-sent events: `timeline` (one entry, as in GetDeployment's events) for every entry, past and new; "
                + "`deployment` (the summary) when state, step or percent change; `end` (the final summary) when the run has ended, then the stream closes. "
                + "Comment lines every 15 s keep it open.");

        // Ids that are not numbers get a reason rather than an unmatched route (which would answer 401 or a bare 404).
        api.MapMethods("/deployments/{id}/{action?}", ["GET", "POST"], Results<BadRequest<ApiProblem>, NotFound<ApiProblem>> (string id, string? action) =>
                long.TryParse(id, out _)
                    ? TypedResults.NotFound(new ApiProblem($"There is no \"{action}\" for deployments; see /openapi/v1.json."))
                    : TypedResults.BadRequest(new ApiProblem($"\"{id}\" is not a deployment id (a positive number).")))
            .ExcludeFromDescription();

        api.MapGet("/os-profiles", async Task<Ok<List<OsProfileResponse>>> (AppDbContext db) =>
                TypedResults.Ok((await db.OsProfiles.AsNoTracking().OrderBy(p => p.Name).ToListAsync())
                    .Select(p => new OsProfileResponse(p.Id, p.Name, p.InstallerKind.ToString(), p.KernelUrl, p.InitrdUrls, p.KernelArgs, p.TemplateName, p.DefaultParameters, p.BuiltIn, p.SetsDiskFirstBootOrder))
                    .ToList()))
            .WithName("ListOsProfiles").WithSummary("What can be installed: each profile's installer, kernel and initrds, template and default parameters (which a deployment's parameters override), and whether a run sets a disk-first boot order on UEFI machines.");
    }

    private static async Task<Results<Created<DeploymentSummary>, Ok<BatchStartResponse>, BadRequest<ApiProblem>, NotFound<ApiProblem>, Conflict<ApiProblem>, JsonHttpResult<ApiProblem>>> StartAsync(
        HttpContext http, AppDbContext db, DeploymentRuns runs)
    {
        var ct = http.RequestAborted;
        // Read by hand so a malformed body gets a message saying what is wrong, not a bare 400.
        if (!http.Request.HasJsonContentType()) return TypedResults.BadRequest(new ApiProblem("Send the request as application/json."));
        StartDeploymentRequest? request;
        try
        {
            request = await http.Request.ReadFromJsonAsync<StartDeploymentRequest>(ct);
        }
        catch (JsonException e)
        {
            return TypedResults.BadRequest(new ApiProblem($"The body is not a deployment request: {e.Message}"));
        }
        if (request is null) return TypedResults.BadRequest(new ApiProblem("The body is empty; send machineId (or machineIds), profileId and hostname."));

        var single = request.MachineId is not null;
        if (single == request.MachineIds is not null)
            return TypedResults.BadRequest(new ApiProblem("Give either machineId (one machine) or machineIds (several), not both and not neither."));
        var ids = single ? [request.MachineId!.Value] : request.MachineIds!.Distinct().ToList();
        if (ids.Count == 0) return TypedResults.BadRequest(new ApiProblem("machineIds is empty."));
        if (ids.FirstOrDefault(id => id <= 0) is var bad and not 0) return TypedResults.BadRequest(new ApiProblem($"{bad} is not a machine id."));
        if (request.ProfileId is not { } profileId) return TypedResults.BadRequest(new ApiProblem("profileId is required (GET /api/v1/os-profiles lists them)."));
        if (!await db.OsProfiles.AnyAsync(p => p.Id == profileId, ct))
            return TypedResults.BadRequest(new ApiProblem($"There is no OS profile {profileId} (GET /api/v1/os-profiles lists them)."));
        if (ProvisionInput.Check(request.Parameters ?? []) is { } parametersError) return TypedResults.BadRequest(new ApiProblem(parametersError));

        var names = await runs.NamesAsync(ids, ct);
        List<DeploymentRuns.Target> targets;
        if (request.Hostnames is { } hostnames)
        {
            if (request.Hostname is not null) return TypedResults.BadRequest(new ApiProblem("Give either hostname (a pattern for several machines) or hostnames (one per machine), not both."));
            if (hostnames.Length != ids.Count) return TypedResults.BadRequest(new ApiProblem($"hostnames has {hostnames.Length} entries for {ids.Count} machines; give one per machine, in the same order."));
            targets = names.Select((m, i) => new DeploymentRuns.Target(m.Id, m.Name, hostnames[i] ?? "")).ToList();
        }
        else
        {
            if (ProvisionInput.CheckPattern(request.Hostname, ids.Count) is { } patternError) return TypedResults.BadRequest(new ApiProblem(patternError));
            targets = names.Select((m, i) => new DeploymentRuns.Target(m.Id, m.Name, ProvisionInput.Hostname(request.Hostname!, i + 1, m.Name))).ToList();
        }

        var who = http.ToRequester();
        var results = await runs.StartAsync(targets, profileId, request.SshKeys ?? [], request.Parameters ?? [], who, ct);
        if (!single)
            return TypedResults.Ok(new BatchStartResponse(results.Count(r => r.Started), results.Count(r => !r.Started),
                results.Select(r => new MachineStartResult(r.MachineId, r.MachineName, r.Hostname, r.DeploymentId, r.Started ? "Started" : r.Status.ToString(), r.Started ? null : r.Message)).ToList()));

        var one = results[0];
        if (one.DeploymentId is { } deploymentId) return TypedResults.Created($"/api/v1/deployments/{deploymentId}", await SummaryAsync(db, deploymentId, who, ct));
        return one.Status switch
        {
            OutcomeStatus.NotFound => TypedResults.NotFound(new ApiProblem(one.Message)),
            OutcomeStatus.Conflict => TypedResults.Conflict(new ApiProblem(one.Message)),
            OutcomeStatus.Invalid => TypedResults.BadRequest(new ApiProblem(one.Message)),
            var status => Error(status, one.Message),
        };
    }

    private static async Task<Results<Ok<List<DeploymentSummary>>, BadRequest<ApiProblem>>> ListAsync(
        HttpContext http, AppDbContext db, string[]? state, long? machineId, int? limit)
    {
        var states = new List<DeploymentState>();
        foreach (var s in state ?? [])
        {
            if (!Enum.TryParse<DeploymentState>(s, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
                return TypedResults.BadRequest(new ApiProblem($"Unknown state \"{s}\"; one of {string.Join(", ", Enum.GetNames<DeploymentState>())}."));
            states.Add(parsed);
        }
        if (limit is < 1 or > MaxLimit) return TypedResults.BadRequest(new ApiProblem($"limit must be between 1 and {MaxLimit}."));
        var rows = await DeploymentRows.ListAsync(db, http.ToRequester(), q =>
        {
            if (states.Count > 0) q = q.Where(d => states.Contains(d.State));
            if (machineId is { } m) q = q.Where(d => d.MachineId == m);
            return q.OrderByDescending(d => d.Id).Take(limit ?? DefaultLimit);
        }, http.RequestAborted);
        return TypedResults.Ok(rows.Select(ToSummary).ToList());
    }

    private static Task<bool> Visible(AppDbContext db, long id, Requester who, CancellationToken ct) => db.Deployments.VisibleTo(who).AnyAsync(d => d.Id == id, ct);

    private static async Task<DeploymentSummary> SummaryAsync(AppDbContext db, long id, Requester who, CancellationToken ct) =>
        ToSummary((await DeploymentRows.ListAsync(db, who, q => q.Where(d => d.Id == id), ct)).Single());

    private static ApiProblem NoSuch(long id) => new($"There is no deployment {id} that you can see.");

    private static JsonHttpResult<ApiProblem> Error(OutcomeStatus status, string message) =>
        TypedResults.Json(new ApiProblem(message), statusCode: status switch
        {
            OutcomeStatus.Forbidden => StatusCodes.Status403Forbidden,
            OutcomeStatus.NotFound => StatusCodes.Status404NotFound,
            OutcomeStatus.Conflict => StatusCodes.Status409Conflict,
            _ => StatusCodes.Status400BadRequest,
        });

    /// <summary>The summary of a loaded deployment, as the list gives it.</summary>
    internal static DeploymentSummary SummaryOf(DeploymentDetails details)
    {
        var (d, w) = (details.Deployment, details.Workflow);
        return new DeploymentSummary(d.Id, d.MachineId, d.Machine!.Name, d.Hostname, d.ProfileId, d.Profile?.Name, details.RequestedBy,
            d.State.ToString(), details.Step?.ToString(), details.Step?.Label(), w?.Attempt, details.Deadline, w?.LastError, d.FailureReason, d.CreatedAt, d.FinishedAt, details.Percent);
    }

    private static DeploymentSummary ToSummary(DeploymentRow r) => new(r.Id, r.MachineId, r.MachineName, r.Hostname, r.ProfileId, r.ProfileName, r.RequestedBy,
        r.State.ToString(), r.Step?.ToString(), r.Step?.Label(), r.Attempt, r.Deadline, r.LastError, r.FailureReason, r.CreatedAt, r.FinishedAt, r.Percent);

    internal static DeploymentDetail ToDetail(DeploymentDetails details)
    {
        var (d, w, secrets) = (details.Deployment, details.Workflow, details.ShowsServedFiles);
        return new DeploymentDetail(d.Id, d.MachineId, d.Machine!.Name, d.Hostname, d.ProfileId, d.Profile?.Name, details.RequestedBy,
            d.State.ToString(), details.Step?.ToString(), details.Step?.Label(), w?.Attempt, details.Deadline, w?.LastError, d.FailureReason, d.CreatedAt, d.FinishedAt, details.Percent,
            secrets ? d.SshKeys : null, secrets ? d.Parameters : null, d.RenderedAt, secrets ? d.IpxeScript : null, secrets ? d.Config : null,
            details.Timeline.Select(t => new TimelineEvent(t.Event.Id, t.Event.At, t.Event.Kind.ToString(), t.Event.Phase, t.Event.Message, t.Event.Percent,
                t.Event.FactsJson is { } facts ? JsonDocument.Parse(facts).RootElement.Clone() : null,
                Math.Round(t.SincePrevious.TotalSeconds, 3), Math.Round(t.SinceStart.TotalSeconds, 3), t.RunPercent)).ToList());
    }
}
