using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Auditing;
using Portal.Core.Live;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;
using Portal.Core.Provisioning.Workflow;
using Portal.Netboot.Inputs;
using Portal.Netboot.Ipxe;
using Portal.Netboot.Templates;

namespace Portal.Netboot.Serving;

/// <summary>
/// The files of one deployment: rendered once (script and config together, on the first fetch),
/// stored, and from then on served exactly as stored. Every fetch is a netboot event on the timeline.
/// What a fetch changes is stored by the <see cref="DeploymentWriter"/>, together with other machines'
/// fetches of the same moment.
/// </summary>
internal static class DeploymentFiles
{
    public enum ConfigFile { Config, UserData, MetaData }

    /// <summary>The deployment's iPXE script (rendered on the first fetch), or null when the deployment is not active.</summary>
    public static async Task<IResult?> ServeScriptAsync(AppDbContext db, DeploymentWriter writer, TemplateSetCache templates, DeploymentTokens tokens, ILiveUpdates live, ProvisioningWakeup wakeup, TimeProvider clock, long deploymentId,
        BootQuery query, PortalUrls urls, string from, CancellationToken ct)
    {
        // Concurrent first fetches race on the render; the loser reloads and serves what the winner stored.
        for (var attempt = 0; ; attempt++)
        {
            var deployment = await ById(Cleared(db), deploymentId, ct);
            if (deployment is null) return null;
            var now = clock.GetUtcNow();
            string body;
            if (!deployment.BootsInstaller)
            {
                body = BootScripts.LocalDisk($"machine {deployment.MachineId} is {deployment.Machine!.State}, not being provisioned");
                deployment.RecordEvent(DeploymentEventKind.Netboot, "script", $"Served the local-disk script: machine is {deployment.Machine.State} ({NetbootHttp.Describe(query)})", null, null, now);
            }
            else if (deployment.IpxeScript is null && PlatformMismatch(deployment, query, now) is { } refused)
            {
                // The profile fails the run rather than install in the wrong mode: the machine boots its disk, the reason is on the timeline.
                if (!await SaveAsync(db, ct)) continue;
                await live.DeploymentChangedAsync(deployment.Id, ct);
                return NetbootHttp.Text(BootScripts.LocalDisk(refused));
            }
            else if (deployment.IpxeScript is null && Render(deployment, tokens.Reveal(deployment), await templates.GetAsync(db, ct), urls, query.FirmwareBootMode, now) is { } failure)
            {
                if (!await SaveAsync(db, ct)) continue;
                await live.DeploymentChangedAsync(deployment.Id, ct);
                return NetbootHttp.Error(StatusCodes.Status500InternalServerError, $"Portal could not render the installer for deployment {deployment.Id}: {failure}");
            }
            else body = ServeScript(deployment, tokens.Reveal(deployment), query, from, now);
            if (!await writer.SaveAsync(db, ct))
            {
                if (attempt < 3) continue;
                return NetbootHttp.Error(StatusCodes.Status503ServiceUnavailable, "the deployment is changing, try again");
            }
            await live.DeploymentChangedAsync(deployment.Id, ct);
            // The installer script ends the wait for the script fetch (a local-disk script ends nothing).
            if (deployment.BootsInstaller) wakeup.Wake(deployment.Id);
            return NetbootHttp.Text(body);
        }
    }

    /// <summary>A run's config, user-data or meta-data: done together with other fetches (<see cref="DeploymentFetches"/>), or alone.</summary>
    public static async Task<IResult> ServeConfigAsync(string token, ConfigFile file, HttpContext http)
    {
        if (!NetbootToken.IsWellFormed(token)) return NetbootHttp.NotFound();
        var services = http.RequestServices;
        if (await services.GetRequiredService<DeploymentFetches>().ConfigAsync(token, file, NetbootHttp.Urls(http), NetbootHttp.ClientAddress(http)) is { } body)
            return NetbootHttp.Text(body);
        return await ServeConfigAloneAsync(services.GetRequiredService<AppDbContext>(), services.GetRequiredService<DeploymentWriter>(), services.GetRequiredService<TemplateSetCache>(),
            services.GetRequiredService<ILiveUpdates>(), services.GetRequiredService<ProvisioningWakeup>(), services.GetRequiredService<TimeProvider>(), token, file, http);
    }

    private static async Task<IResult> ServeConfigAloneAsync(AppDbContext db, DeploymentWriter writer, TemplateSetCache templates, ILiveUpdates live, ProvisioningWakeup wakeup, TimeProvider clock, string token, ConfigFile file,
        HttpContext http)
    {
        var ct = http.RequestAborted;
        for (var attempt = 0; ; attempt++)
        {
            var hash = DeploymentTokens.Hash(token);
            var deployment = await ByTokenHash(Cleared(db), hash, ct);
            // Only while active, and only while the machine is being provisioned: a finished run's kickstart (with its hashes) is never served again.
            if (deployment is null || !deployment.BootsInstaller) return NetbootHttp.NotFound();
            var now = clock.GetUtcNow();
            var phase = Phase(file);
            var from = NetbootHttp.ClientAddress(http);
            if (deployment.TokenRefusal(from) is { } refusal)
            {
                await RefuseTokenUseAsync(db, live, deployment, $"Refused the {phase} to {from}: {refusal}", now, ct);
                return NetbootHttp.Error(StatusCodes.Status403Forbidden, "this token is not valid from this address");
            }
            if (deployment.Config is null)
            {
                var urls = NetbootHttp.Urls(http);
                if (urls is null) return NetbootHttp.NotConfigured();
                if (Render(deployment, token, await templates.GetAsync(db, ct), urls, null, now) is { } failure)
                {
                    if (!await SaveAsync(db, ct)) continue;
                    await live.DeploymentChangedAsync(deployment.Id, ct);
                    return NetbootHttp.Error(StatusCodes.Status500InternalServerError, $"Portal could not render the config for deployment {deployment.Id}: {failure}");
                }
            }
            var body = ServeConfig(deployment, token, file, from, now);
            if (!await writer.SaveAsync(db, ct))
            {
                if (attempt < 3) continue;
                return NetbootHttp.Error(StatusCodes.Status503ServiceUnavailable, "the deployment is changing, try again");
            }
            await live.DeploymentChangedAsync(deployment.Id, ct);
            // The config (or NoCloud user-data) ends the wait for the config fetch; meta-data alone does not.
            if (file != ConfigFile.MetaData) wakeup.Wake(deployment.Id);
            return NetbootHttp.Text(body);
        }
    }

    /// <summary>
    /// A use of the token that is refused goes on the timeline as a warning and into the audit log
    /// (the first few per run: a flood of them must not flood either), then the caller answers 4xx.
    /// </summary>
    internal static async Task RefuseTokenUseAsync(AppDbContext db, ILiveUpdates live, Deployment deployment, string message, DateTimeOffset now, CancellationToken ct)
    {
        if (deployment.TokenUseRefused())
        {
            deployment.RecordEvent(DeploymentEventKind.Netboot, "refused", message, null, null, now);
            db.AuditEvents.Add(AuditEvent.Record(Actor.System, "netboot.token-refused", "deployment", deployment.Id.ToString(), $"Deployment {deployment.Id}: {message}", now));
        }
        // Lost to a concurrent change of the run: the refusal stands, only its record is skipped.
        if (await SaveAsync(db, ct)) await live.DeploymentChangedAsync(deployment.Id, ct);
    }

    /// <summary>
    /// The firmware says what it really booted as (iPXE's platform); the BMC said what the machine is
    /// set to. When they differ the installer is rendered for the firmware — it is what runs — with a
    /// warning on the timeline; a profile that says so fails the run instead. Returns the failure, or null.
    /// </summary>
    private static string? PlatformMismatch(Deployment deployment, BootQuery query, DateTimeOffset now)
    {
        if (Mismatch(deployment, query) is not { } mismatch) return null;
        var (said, firmware, bmc) = mismatch;
        if (deployment.Profile!.FailOnPlatformMismatch)
        {
            var reason = $"{said}; the profile fails the run rather than install in the wrong mode. Set the machine's boot mode in its firmware or BMC, then retry.";
            deployment.RecordEvent(DeploymentEventKind.Netboot, "platform-mismatch", reason, null, null, now);
            deployment.Fail(reason, now);
            return reason;
        }
        deployment.RecordEvent(DeploymentEventKind.Netboot, "platform-mismatch",
            $"{said}: the installer is rendered for {Name(firmware)}. An OS installed in {Name(firmware)} mode may not boot from its disk once the machine is back in {Name(bmc)} mode.", null, null, now);
        return null;
    }

    /// <summary>What the firmware and the BMC disagree on, or null when they agree (or one does not say).</summary>
    private static (string Said, BootMode Firmware, BootMode Bmc)? Mismatch(Deployment deployment, BootQuery query)
    {
        var bmc = deployment.Machine!.BootMode switch { "UEFI" => BootMode.Uefi, "Legacy" => BootMode.Bios, _ => (BootMode?)null };
        if (query.FirmwareBootMode is not { } firmware || bmc is not { } reported || firmware == reported) return null;
        return ($"The firmware booted {Name(firmware)} (iPXE platform {query.Platform}), but the BMC reports {Name(reported)}", firmware, reported);
    }

    private static string Name(BootMode mode) => mode == BootMode.Uefi ? "UEFI" : "BIOS";

    /// <summary>Renders and stores both files, or fails the deployment with the reason; returns the reason on failure.</summary>
    private static string? Render(Deployment deployment, string token, TemplateSet set, PortalUrls urls, BootMode? firmware, DateTimeOffset now)
    {
        try
        {
            RenderAndStore(deployment, token, set, urls, firmware, now);
            return null;
        }
        catch (NetbootRenderException e)
        {
            // Fail loudly: a machine never gets half a script, and the reason is on the timeline.
            deployment.RecordEvent(DeploymentEventKind.Netboot, "render-failed", e.Message, null, null, now);
            deployment.Fail("Rendering failed: " + e.Message, now);
            return e.Message;
        }
    }

    /// <summary>Renders both files and keeps them on the run; throws <see cref="NetbootRenderException"/> having changed nothing.</summary>
    private static void RenderAndStore(Deployment deployment, string token, TemplateSet set, PortalUrls urls, BootMode? firmware, DateTimeOffset now)
    {
        var context = new NetbootContext(deployment.Machine!.ToNetboot(), deployment.Profile!.ToNetboot(), deployment.ToNetboot(token), urls);
        var script = BootScripts.Installer(context, set, firmware);
        var config = set.RenderConfig(context);
        deployment.Rendered(script, config, token, now);
        deployment.RecordEvent(DeploymentEventKind.Netboot, "rendered",
            $"Rendered the installer script ({(firmware ?? context.Machine.BootMode) switch { BootMode.Uefi => "UEFI", _ => "BIOS" }}) and the {context.Profile.TemplateName} config", null, null, now);
    }

    /// <summary>The installer script as first rendered (the stored copy holds a placeholder where the token goes), recorded as served.</summary>
    private static string ServeScript(Deployment deployment, string token, BootQuery query, string from, DateTimeOffset now)
    {
        var body = deployment.ServedScript(token)!;
        deployment.ScriptServedTo(from);
        deployment.RecordEvent(DeploymentEventKind.Netboot, "script", $"Served the installer script to {from} ({NetbootHttp.Describe(query)})", null, null, now);
        return body;
    }

    private static string ServeConfig(Deployment deployment, string token, ConfigFile file, string from, DateTimeOffset now)
    {
        var body = file == ConfigFile.MetaData ? NoCloud.MetaData(deployment.ToNetboot(token)) : deployment.ServedConfig(token)!;
        if (file != ConfigFile.MetaData) deployment.ConfigServed(now);
        deployment.RecordEvent(DeploymentEventKind.Netboot, Phase(file), $"Served the {Phase(file)} to {from}", null, null, now);
        return body;
    }

    private static string Phase(ConfigFile file) => file switch { ConfigFile.MetaData => "meta-data", ConfigFile.UserData => "user-data", _ => "config" };

    /// <summary>
    /// A script fetch's common case, on a run loaded by <see cref="DeploymentFetches"/>: the run boots its
    /// installer, firmware and BMC agree on the boot mode and the render succeeds (or was done before).
    /// Returns the body with the run changed as <see cref="ServeScriptAsync"/> would change it, or null
    /// having changed nothing: that fetch is served alone.
    /// </summary>
    internal static string? TryServeScript(Deployment deployment, DeploymentTokens tokens, TemplateSet set, BootQuery query, PortalUrls? urls, string from, DateTimeOffset now)
    {
        // A run from before tokens were encrypted gets a new token when revealed: a change of its own.
        if (!deployment.BootsInstaller || deployment.ProtectedToken is null) return null;
        var token = tokens.Reveal(deployment);
        if (deployment.IpxeScript is null)
        {
            if (urls is null || Mismatch(deployment, query) is not null) return null;
            try { RenderAndStore(deployment, token, set, urls, query.FirmwareBootMode, now); }
            catch (NetbootRenderException) { return null; }
        }
        return ServeScript(deployment, token, query, from, now);
    }

    /// <summary>A config fetch's common case (the token used from the address it is bound to), as <see cref="TryServeScript"/>.</summary>
    internal static string? TryServeConfig(Deployment deployment, TemplateSet set, string token, ConfigFile file, PortalUrls? urls, string from, DateTimeOffset now)
    {
        if (!deployment.BootsInstaller || deployment.TokenRefusal(from) is not null) return null;
        if (deployment.Config is null)
        {
            if (urls is null) return null;
            try { RenderAndStore(deployment, token, set, urls, null, now); }
            catch (NetbootRenderException) { return null; }
        }
        return ServeConfig(deployment, token, file, from, now);
    }

    // An active deployment with its machine and profile, by id or by token. Compiled once: a boot storm runs
    // these thousands of times, and building and looking up the query each time was a good part of a fetch.
    private static readonly Func<AppDbContext, long, CancellationToken, Task<Deployment?>> ById = EF.CompileAsyncQuery(
        (AppDbContext db, long id, CancellationToken ct) => db.Deployments.Include(d => d.Machine).Include(d => d.Profile)
            .Where(d => d.State == DeploymentState.Active && d.Id == id).OrderBy(d => d.Id).FirstOrDefault());

    private static readonly Func<AppDbContext, string, CancellationToken, Task<Deployment?>> ByTokenHash = EF.CompileAsyncQuery(
        (AppDbContext db, string hash, CancellationToken ct) => db.Deployments.Include(d => d.Machine).Include(d => d.Profile)
            .Where(d => d.State == DeploymentState.Active && d.TokenHash == hash).OrderBy(d => d.Id).FirstOrDefault());

    /// <summary>A retry reloads from scratch: what an earlier attempt tracked is dropped.</summary>
    private static AppDbContext Cleared(AppDbContext db)
    {
        db.ChangeTracker.Clear();
        return db;
    }

    /// <summary>False when another request changed the deployment first (the caller reloads and tries again).</summary>
    internal static async Task<bool> SaveAsync(AppDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            return false;
        }
    }
}
