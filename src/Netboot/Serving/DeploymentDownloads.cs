using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Live;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;
using Portal.Core.Provisioning.Workflow;
using Portal.Netboot.Inputs;

namespace Portal.Netboot.Serving;

/// <summary>
/// GET /netboot/files/{token}/{path}: a boot file (kernel, initrd) fetched by one deployment's
/// installer script. The file is the one /boot-files/{path} serves, ranges included; the download
/// goes on that deployment's timeline when it ends — the file, the bytes, the time it took, the
/// range — and one that started but did not finish (the connection closed, Kestrel gave up on a
/// stalled client) as a warning. Only while the run boots its installer, and from the address the
/// token is bound to, like the config.
/// </summary>
internal static class DeploymentDownloads
{
    public static async Task HandleAsync(string token, string path, HttpContext http, AppDbContext db, BootFiles files, ILiveUpdates live,
        TimeProvider clock, ILogger logger)
    {
        var ct = http.RequestAborted;
        if (!NetbootToken.IsWellFormed(token)) { await NetbootHttp.NotFound().ExecuteAsync(http); return; }
        var hash = DeploymentTokens.Hash(token);
        var deployment = await db.Deployments.Include(d => d.Machine).Include(d => d.Profile).SingleOrDefaultAsync(d => d.TokenHash == hash && d.State == DeploymentState.Active, ct);
        if (deployment is null || !deployment.BootsInstaller || files.Find(path) is not { } file)
        {
            await NetbootHttp.NotFound().ExecuteAsync(http);
            return;
        }
        var from = NetbootHttp.ClientAddress(http);
        if (deployment.TokenRefusal(from) is { } refusal)
        {
            await DeploymentFiles.RefuseTokenUseAsync(db, live, deployment, $"Refused the boot file {file.Name} to {from}: {refusal}", clock.GetUtcNow(), ct);
            await NetbootHttp.Error(StatusCodes.Status403Forbidden, "this token is not valid from this address").ExecuteAsync(http);
            return;
        }

        var started = clock.GetUtcNow();
        Exception? broken = null;
        try
        {
            await BootFiles.Serve(file).ExecuteAsync(http);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            broken = e; // the client went away or stopped reading: said on the timeline below
        }

        var ended = clock.GetUtcNow();
        var response = http.Response;
        // A conditional or unsatisfiable request sent no body: nothing was downloaded.
        if (response.StatusCode is not (StatusCodes.Status200OK or StatusCodes.Status206PartialContent)) return;
        var finished = broken is null && !ct.IsCancellationRequested;
        var what = $"{file.Name} ({Size(response.ContentLength ?? file.Length)}" +
                   (response.StatusCode == StatusCodes.Status206PartialContent ? $", {response.Headers.ContentRange} of {Size(file.Length)})" : ")");
        var message = finished
            ? $"Sent {what} to {from} in {WorkflowTimeline.Took(ended - started)}"
            : $"The download of {what} by {from} did not finish: the connection closed after {WorkflowTimeline.Took(ended - started)}";
        if (!finished) logger.LogWarning("Deployment {Deployment}: download of {File} by {Address} did not finish ({Error})", deployment.Id, file.Name, from, broken?.Message ?? "aborted");
        await RecordAsync(db, live, deployment.Id, finished ? "download" : "download-incomplete", message, ended);
    }

    /// <summary>Written after the response, so with a fresh look at the run (it may have moved on meanwhile) and without the request's token.</summary>
    private static async Task RecordAsync(AppDbContext db, ILiveUpdates live, long deploymentId, string phase, string message, DateTimeOffset at)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            db.ChangeTracker.Clear();
            var deployment = await db.Deployments.SingleOrDefaultAsync(d => d.Id == deploymentId && d.State == DeploymentState.Active);
            if (deployment is null) return; // ended meanwhile: its timeline is closed
            deployment.RecordEvent(DeploymentEventKind.Netboot, phase, message, null, null, at);
            if (await DeploymentFiles.SaveAsync(db, CancellationToken.None))
            {
                await live.DeploymentChangedAsync(deploymentId, CancellationToken.None);
                return;
            }
        }
    }

    private static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.#} KiB",
        _ => $"{bytes / (1024.0 * 1024):0.#} MiB",
    };
}
