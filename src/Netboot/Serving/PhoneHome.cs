using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Auditing;
using Portal.Core.Live;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;
using Portal.Core.Provisioning.Workflow;
using Portal.Netboot.Inputs;
using Portal.Netboot.PhoneHome;

namespace Portal.Netboot.Serving;

/// <summary>
/// POST /netboot/events/{token}: an installer reports a phase. Unknown or ended tokens are 404
/// before the body is read, a token used from another address than the script's is 403; a body
/// that does not parse changes nothing; an event the run cannot have now (see
/// <see cref="Deployment.InstallerEventRefusal"/>) is 409 and a warning on the timeline. "done"
/// finishes the deployment (the machine is Deployed), "failed" fails it with the installer's message.
/// </summary>
internal static class PhoneHomeEndpoint
{
    private static readonly JsonSerializerOptions FactsJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static async Task<IResult> HandleAsync(string token, HttpContext http, AppDbContext db, ILiveUpdates live, ProvisioningWakeup wakeup, TimeProvider clock)
    {
        var ct = http.RequestAborted;
        if (!NetbootToken.IsWellFormed(token)) return NetbootHttp.NotFound();
        var hash = DeploymentTokens.Hash(token);
        var deployment = await db.Deployments.Include(d => d.Machine).Include(d => d.Profile)
            .SingleOrDefaultAsync(d => d.TokenHash == hash && d.State == DeploymentState.Active, ct);
        if (deployment is null) return NetbootHttp.NotFound();
        var from = NetbootHttp.ClientAddress(http);
        if (deployment.TokenRefusal(from) is { } refusal)
        {
            await DeploymentFiles.RefuseTokenUseAsync(db, live, deployment, $"Refused an installer event from {from}: {refusal}", clock.GetUtcNow(), ct);
            return NetbootHttp.Error(StatusCodes.Status403Forbidden, "this token is not valid from this address");
        }

        var result = await InstallerEventParser.ReadAsync(http.Request, ct);
        if (!result.IsValid) return NetbootHttp.Error(result.StatusCode, result.Detail ?? "invalid event");
        var e = result.Event!;

        var now = clock.GetUtcNow();
        var phase = e.Phase.ToString().ToLowerInvariant();
        if (deployment.InstallerEventRefusal(phase) is { } outOfOrder)
        {
            await DeploymentFiles.RefuseTokenUseAsync(db, live, deployment, $"Refused a \"{phase}\" event from {from}: {outOfOrder}", now, ct);
            return NetbootHttp.Error(StatusCodes.Status409Conflict, outOfOrder);
        }
        deployment.InstallerEventAccepted(phase);
        deployment.RecordEvent(DeploymentEventKind.Installer, phase, e.Message, e.Percent, Facts(e), now);
        if (e.Phase == InstallerPhase.Done)
        {
            deployment.Finish(now);
            db.AuditEvents.Add(AuditEvent.Record(Actor.System, "deployment.finished", "machine", deployment.MachineId.ToString(),
                $"Deployment {deployment.Id} ({deployment.Hostname}) finished: {e.Message}", now));
        }
        else if (e.Phase == InstallerPhase.Failed)
        {
            deployment.Fail(e.Message, now);
            db.AuditEvents.Add(AuditEvent.Record(Actor.System, "deployment.failed", "machine", deployment.MachineId.ToString(),
                $"Deployment {deployment.Id} ({deployment.Hostname}) failed: {e.Message}", now));
        }

        // A "done" racing a "failed" (or a cancel): the first one wins, the other is told the run is over.
        if (!await DeploymentFiles.SaveAsync(db, ct)) return NetbootHttp.Error(StatusCodes.Status409Conflict, "the deployment has ended");
        await live.DeploymentChangedAsync(deployment.Id, ct);
        if (e.IsFinal)
        {
            await live.ChangedAsync($"machine:{deployment.MachineId}", ct);
            // Done or failed: the run moves on (clearing the boot override) now, not at its next poll.
            wakeup.Wake(deployment.Id);
        }
        return Results.NoContent();
    }

    private static string? Facts(InstallerEvent e)
    {
        if (e.Facts is null && e.ExtraFacts is not { Count: > 0 }) return null;
        var facts = e.Facts is null ? new Dictionary<string, JsonElement>() : JsonSerializer.SerializeToElement(e.Facts, FactsJson).EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value);
        foreach (var (name, value) in e.ExtraFacts ?? new Dictionary<string, JsonElement>()) facts.TryAdd(name, value);
        return JsonSerializer.Serialize(facts);
    }
}
