using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Core.Power;
using Portal.Core.Provisioning.Workflow;
using Portal.Core.Reservations;
using Portal.Shell;

namespace Portal.Machines;

/// <summary>
/// Form posts from the machine pages. Each answers with a redirect (post/redirect/get) carrying
/// the outcome as ?ok= or ?error=, so they work the same with and without JavaScript.
/// </summary>
internal static class MachineForms
{
    public static void MapMachineForms(this WebApplication app)
    {
        var machines = app.MapGroup("/machines").RequireAuthorization().RequireAntiforgery().ExcludeFromDescription();

        machines.MapPost("/reserve", async Task<RedirectHttpResult> (HttpContext http, Reservations reservations) =>
        {
            // Read by hand: binding long[] from a form trips over TryParse on this runtime (see AdminEndpoints).
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            var ids = form["pick"].Select(v => long.TryParse(v, out var id) ? id : 0).Where(id => id > 0).ToList();
            var back = LocalOr(form["return"], "/machines");
            var outcome = await reservations.ReserveAsync(ids, Hours(form["hours"]), http.ToRequester(), http.RequestAborted);
            return outcome.Succeeded ? WithOutcome("/machines/mine", outcome) : WithOutcome(back, outcome);
        });

        machines.MapPost("/{id:long}/extend", async Task<RedirectHttpResult> (long id, HttpContext http, Reservations reservations) =>
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            return WithOutcome(LocalOr(form["return"], $"/machines/{id}"), await reservations.ExtendAsync(id, Hours(form["hours"]), http.ToRequester(), http.RequestAborted));
        });

        machines.MapPost("/{id:long}/release", async Task<RedirectHttpResult> (long id, HttpContext http, ProvisioningService provisioning) =>
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            long? wipe = long.TryParse(form["wipe"], out var w) && w > 0 ? w : null;
            var started = await provisioning.ReleaseAsync(id, wipe, http.ToRequester(), http.RequestAborted);
            // A release run has a timeline of its own; a plain release goes back where the user was.
            return WithOutcome(started.DeploymentId is { } run ? $"/deployments/{run}" : LocalOr(form["return"], $"/machines/{id}"), started.Outcome);
        });

        machines.MapPost("/{id:long}/power", async Task<RedirectHttpResult> (long id, HttpContext http, PowerControl power) =>
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            if (!PowerActions.TryParse(form["action"], out var action))
                return WithOutcome($"/machines/{id}", Outcome.Invalid($"Unknown power action \"{form["action"]}\"."));
            var requested = await power.RequestAsync(id, action, http.ToRequester(), http.RequestAborted);
            return WithOutcome($"/machines/{id}", requested.Outcome);
        });

        machines.MapPost("/{id:long}/maintenance", async Task<RedirectHttpResult> (long id, HttpContext http, Reservations reservations) =>
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            var who = http.ToRequester();
            var outcome = form["on"] == "true"
                ? await reservations.EnterMaintenanceAsync(id, form["reason"], who, http.RequestAborted)
                : await reservations.LeaveMaintenanceAsync(id, who, http.RequestAborted);
            return WithOutcome($"/machines/{id}", outcome);
        });

        machines.MapPost("/{id:long}/tags", async Task<RedirectHttpResult> (long id, HttpContext http, Reservations reservations) =>
        {
            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            var tags = form["tags"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return WithOutcome($"/machines/{id}", await reservations.SetTagsAsync(id, tags, http.ToRequester(), http.RequestAborted));
        });
    }

    private static int? Hours(string? text) => int.TryParse(text, out var h) ? h : null;

    /// <summary>Only paths on this site: a crafted form must not turn the portal into an open redirect.</summary>
    private static string LocalOr(string? url, string fallback) =>
        url is { Length: > 0 } u && u[0] == '/' && !u.StartsWith("//", StringComparison.Ordinal) && !u.StartsWith("/\\", StringComparison.Ordinal) ? u : fallback;

    private static RedirectHttpResult WithOutcome(string url, Outcome outcome)
    {
        var separator = url.Contains('?') ? '&' : '?';
        return TypedResults.Redirect($"{url}{separator}{(outcome.Succeeded ? "ok" : "error")}={Uri.EscapeDataString(outcome.Message)}");
    }
}
