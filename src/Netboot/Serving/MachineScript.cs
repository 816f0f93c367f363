using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Live;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;
using Portal.Netboot.Inputs;
using Portal.Netboot.Ipxe;

namespace Portal.Netboot.Serving;

/// <summary>
/// GET /netboot/machine.ipxe: resolve the machine once, then answer by state. Only a Provisioning
/// machine with an active deployment gets an installer; everything else boots its local disk.
/// </summary>
internal static class MachineScript
{
    public static async Task<IResult> HandleAsync(HttpContext http, AppDbContext db, MachineDirectory directory, TemplateSetCache templates, ILiveUpdates live, TimeProvider clock)
    {
        var ct = http.RequestAborted;
        if (http.Request.QueryString.Value is { Length: > BootQuery.MaxQueryLength })
            return NetbootHttp.Error(StatusCodes.Status414UriTooLong, $"query string is longer than {BootQuery.MaxQueryLength} characters");
        var parsed = BootQuery.Parse(http.Request.Query);
        if (!parsed.IsValid) return NetbootHttp.Error(StatusCodes.Status400BadRequest, parsed.Error!);
        var query = parsed.Query!;

        var lookup = await FindAsync(db, directory, query, ct);
        if (lookup is null)
        {
            await Sightings.RecordAsync(db, query, http.Connection.RemoteIpAddress?.ToString(), clock.GetUtcNow(), ct);
            await live.ChangedAsync("sightings", ct);
            return NetbootHttp.Text(BootScripts.LocalDisk("unknown machine"));
        }
        var (machineId, state, deploymentId) = lookup;
        if (deploymentId is null)
            return NetbootHttp.Text(BootScripts.LocalDisk($"machine {machineId} is {state}, not being provisioned"));

        var urls = NetbootHttp.Urls(http);
        if (urls is null) return NetbootHttp.Error(StatusCodes.Status400BadRequest, "the Host header is not a usable address");
        return await DeploymentFiles.ServeScriptAsync(db, templates, live, clock, deploymentId.Value, query, urls, ct);
    }

    private static async Task<Lookup?> FindAsync(AppDbContext db, MachineDirectory directory, BootQuery query, CancellationToken ct)
    {
        // At most twice: a remembered MAC that no longer holds is forgotten and looked up afresh.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            if (await directory.ResolveAsync(db, query, ct) is not { } resolved) return null;
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

    private sealed record Lookup(long MachineId, MachineState State, long? DeploymentId);
}
