using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Core.Live;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;
using Portal.Core.Provisioning.Workflow;
using Portal.Netboot.Inputs;
using Portal.Netboot.Ipxe;

namespace Portal.Netboot.Serving;

/// <summary>
/// GET /netboot/machine.ipxe: resolve the machine once, then answer by state. Only a Provisioning
/// machine with an active deployment gets an installer; everything else boots its local disk.
/// The <see cref="BootDirectory"/> answers the common case from memory; see there for when it defers.
/// </summary>
internal static class MachineScript
{
    private static readonly byte[] UnknownMachine = System.Text.Encoding.UTF8.GetBytes(BootScripts.LocalDisk("unknown machine"));

    public static Task HandleAsync(HttpContext http, BootDirectory directory, SightingRecorder sightings, ILogger decisions)
    {
        if (http.Request.QueryString.Value is { Length: > BootQuery.MaxQueryLength })
            return NetbootHttp.Error(StatusCodes.Status414UriTooLong, $"query string is longer than {BootQuery.MaxQueryLength} characters").ExecuteAsync(http);
        var parsed = BootQuery.Parse(http.Request.Query);
        if (!parsed.IsValid) return NetbootHttp.Error(StatusCodes.Status400BadRequest, parsed.Error!).ExecuteAsync(http);
        var query = parsed.Query!;

        // Most firmware that asks is not being provisioned: answered from memory, no database, no allocation for the body.
        switch (directory.Resolve(query, out var entry))
        {
            case BootDirectory.Lookup.Known:
                NetbootDecisions.LocalDisk(decisions, query, entry!.MachineId, entry.State);
                return NetbootHttp.WriteAsync(http, entry.LocalDiskScript);
            case BootDirectory.Lookup.SerialOnly:
                return NotTrustedAsync(http, query, entry!.MachineId, sightings, decisions);
            case BootDirectory.Lookup.Unknown:
                NetbootDecisions.Unknown(decisions, query);
                sightings.Record(query, http.Connection.RemoteIpAddress?.ToString());
                return NetbootHttp.WriteAsync(http, UnknownMachine);
            case BootDirectory.Lookup.Deploying:
                return DeployingAsync(http, query, entry!, sightings, decisions);
            default:
                return FromDatabaseAsync(http, query, sightings, decisions);
        }
    }

    /// <summary>
    /// Memory found the machine and its deployment, which saves a boot storm one lookup per fetch; the
    /// deployment is loaded as active or not at all, and when it has ended the database decides afresh.
    /// </summary>
    private static async Task DeployingAsync(HttpContext http, BootQuery query, BootEntry entry, SightingRecorder sightings, ILogger decisions)
    {
        if (await InstallerAsync(http, query, entry.MachineId, entry.DeploymentId!.Value, decisions) is { } served) await served.ExecuteAsync(http);
        else await FromDatabaseAsync(http, query, sightings, decisions);
    }

    /// <summary>The deployment's script, or null when the deployment is no longer active.</summary>
    private static async Task<IResult?> InstallerAsync(HttpContext http, BootQuery query, long machineId, long deploymentId, ILogger decisions)
    {
        var services = http.RequestServices;
        if (NetbootHttp.Urls(http) is not { } urls) return NetbootHttp.NotConfigured();
        var from = NetbootHttp.ClientAddress(http);
        if (await services.GetRequiredService<DeploymentFetches>().ScriptAsync(deploymentId, query, urls, from) is { } body)
        {
            NetbootDecisions.Installer(decisions, query, machineId, deploymentId);
            return NetbootHttp.Text(body);
        }
        var served = await DeploymentFiles.ServeScriptAsync(services.GetRequiredService<AppDbContext>(), services.GetRequiredService<DeploymentWriter>(),
            services.GetRequiredService<TemplateSetCache>(), services.GetRequiredService<DeploymentTokens>(), services.GetRequiredService<ILiveUpdates>(),
            services.GetRequiredService<ProvisioningWakeup>(), services.GetRequiredService<TimeProvider>(), deploymentId, query, urls, from, http.RequestAborted);
        if (served is not null) NetbootDecisions.Installer(decisions, query, machineId, deploymentId);
        return served;
    }

    /// <summary>Anything that could lead to an installer, and anything memory is unsure of, is decided by the database.</summary>
    private static async Task FromDatabaseAsync(HttpContext http, BootQuery query, SightingRecorder sightings, ILogger decisions)
    {
        var ct = http.RequestAborted;
        var services = http.RequestServices;
        var db = services.GetRequiredService<AppDbContext>();
        var lookup = await FindAsync(db, services.GetRequiredService<MachineDirectory>(), query, ct);
        if (lookup is null)
        {
            NetbootDecisions.Unknown(decisions, query);
            sightings.Record(query, http.Connection.RemoteIpAddress?.ToString());
            await NetbootHttp.WriteAsync(http, UnknownMachine);
            return;
        }
        var (machineId, state, deploymentId, serialOnly) = lookup;
        if (serialOnly)
        {
            await NotTrustedAsync(http, query, machineId, sightings, decisions);
            return;
        }
        if (deploymentId is null)
        {
            NetbootDecisions.LocalDisk(decisions, query, machineId, state);
            await NetbootHttp.Text(BootScripts.LocalDisk($"machine {machineId} is {state}, not being provisioned")).ExecuteAsync(http);
            return;
        }

        var result = await InstallerAsync(http, query, machineId, deploymentId.Value, decisions)
                     ?? NetbootHttp.Text(BootScripts.LocalDisk("the deployment has ended"));
        await result.ExecuteAsync(http);
    }

    /// <summary>
    /// Only the serial matched a machine: placeholder serials ("To Be Filled By O.E.M.") and duplicates are
    /// common, so this firmware gets its local disk and is kept as a sighting that says why; an admin who
    /// knows better links the sighting to the machine, and its MAC or UUID then resolves.
    /// </summary>
    private static Task NotTrustedAsync(HttpContext http, BootQuery query, long machineId, SightingRecorder sightings, ILogger decisions)
    {
        var reason = $"serial {query.Serial} matches machine {machineId}, but neither MAC nor UUID does: not trusted";
        NetbootDecisions.SerialOnly(decisions, query, machineId);
        sightings.Record(query, http.Connection.RemoteIpAddress?.ToString(), reason);
        return NetbootHttp.WriteAsync(http, System.Text.Encoding.UTF8.GetBytes(BootScripts.LocalDisk(reason)));
    }

    private static async Task<Lookup?> FindAsync(AppDbContext db, MachineDirectory directory, BootQuery query, CancellationToken ct)
    {
        // At most twice: a remembered MAC that no longer holds is forgotten and looked up afresh.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (await directory.ResolveAsync(db, query, ct) is not { } resolved) return null;
            if (resolved.SerialOnly) return new Lookup(resolved.MachineId, default, null, SerialOnly: true);
            var mac = resolved.MacToConfirm;
            var row = (await db.Database.SqlQuery<LookupRow>($"""
                SELECT m."State" AS "State",
                       COALESCE(jsonb_typeof(m."Nics") = 'array' AND m."Nics" @> jsonb_build_array(jsonb_build_object('Mac', {mac}::text)), false) AS "MacMatches",
                       (SELECT d."Id" FROM "Deployments" d WHERE d."MachineId" = m."Id" AND d."State" = 'Active') AS "DeploymentId"
                  FROM "Machines" m WHERE m."Id" = {resolved.MachineId}
                """).ToListAsync(ct)).FirstOrDefault();
            if (row is not null && (mac is null || row.MacMatches))
                return new Lookup(resolved.MachineId, Enum.Parse<MachineState>(row.State), row.DeploymentId);
            if (mac is null) return null;
            directory.Forget(mac, resolved.MachineId);
        }
        return null;
    }

    private sealed record LookupRow(string State, bool MacMatches, long? DeploymentId);

    private sealed record Lookup(long MachineId, MachineState State, long? DeploymentId, bool SerialOnly = false);
}
