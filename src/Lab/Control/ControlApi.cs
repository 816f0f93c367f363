using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Portal.Lab.Netboot;

namespace Portal.Lab.Control;

/// <summary>
/// The lab's own plain-HTTP API (not Redfish): what the fleet is, per-BMC stats, and faults
/// switched at run time. A BMC is addressed by index, IP address, MAC or host name.
/// <code>
/// GET    /lab                          fleet summary (files, ports, counts)
/// GET    /lab/bmcs                     every BMC with credentials, systems, faults, stats
/// GET    /lab/bmcs/{bmc}               one BMC
/// GET    /lab/bmcs/{bmc}/stats         {requests, inFlight, maxInFlight, sessionsCreated, eventStreams}
/// POST   /lab/bmcs/{bmc}/systems/{id}/power  body: {"resetType": "On"}: power changed behind the client's back
/// POST   /lab/bmcs/{bmc}/events/drop   end the BMC's open event streams (clients must reconnect)
/// POST   /lab/bmcs/{bmc}/sessions/expire  end every Redfish session (clients get 401)
/// PUT    /lab/bmcs/{bmc}/faults        body: FaultSettings JSON; DELETE clears
/// PUT    /lab/bmcs/{bmc}/netboot-faults body: NetbootFaults JSON for the BMC's systems; GET shows, DELETE clears
/// POST   /lab/bmcs/{bmc}/stats/reset   zero the counters
/// POST   /lab/bmcs/{bmc}/unlock        end a bad-login lockout
/// POST   /lab/bmcs/{bmc}/recertify     new key + certificate, stored and presented from now on
/// GET    /lab/stats                    stats of every BMC
/// PUT    /lab/faults                   same faults on every BMC; DELETE clears
/// PUT    /lab/netboot-faults           same netboot faults on every system; DELETE clears
/// POST   /lab/stats/reset              zero every BMC's counters
/// </code>
/// </summary>
internal sealed class ControlApi(LabFleet fleet)
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = true,
    };

    public async Task HandleAsync(HttpContext ctx)
    {
        var method = ctx.Request.Method;
        var path = (ctx.Request.Path.Value ?? "/").TrimEnd('/');
        string[] s = path.Length == 0 ? [] : path[1..].Split('/');

        switch (s)
        {
            case [] or ["lab"] when HttpMethods.IsGet(method):
                await Json(ctx, 200, Summary());
                return;
            case ["lab", "bmcs"] when HttpMethods.IsGet(method):
                await Json(ctx, 200, fleet.Bmcs.Select(ControlViews.Bmc));
                return;
            case ["lab", "stats"] when HttpMethods.IsGet(method):
                await Json(ctx, 200, fleet.Bmcs.Select(b => new { b.Index, Address = b.Address.ToString(), b.Mac, Stats = b.Stats }));
                return;
            case ["lab", "stats", "reset"] when HttpMethods.IsPost(method):
                fleet.ResetStats();
                ctx.Response.StatusCode = 204;
                return;
            case ["lab", "faults"] when HttpMethods.IsPut(method):
                if (await ReadFaults(ctx) is { } all)
                {
                    fleet.SetFaults(all);
                    await Json(ctx, 200, all);
                }
                return;
            case ["lab", "faults"] when HttpMethods.IsDelete(method):
                fleet.SetFaults(FaultSettings.None);
                ctx.Response.StatusCode = 204;
                return;
            case ["lab", "netboot-faults"] when HttpMethods.IsPut(method):
                if (await ReadNetbootFaults(ctx) is { } netboot)
                {
                    foreach (var system in fleet.Systems) system.NetbootFaults = netboot;
                    await Json(ctx, 200, netboot);
                }
                return;
            case ["lab", "netboot-faults"] when HttpMethods.IsDelete(method):
                foreach (var system in fleet.Systems) system.NetbootFaults = NetbootFaults.None;
                ctx.Response.StatusCode = 204;
                return;
            case ["lab", "bmcs", var key, .. var rest]:
                var bmc = fleet.FindBmc(Uri.UnescapeDataString(key));
                if (bmc is null)
                {
                    await Json(ctx, 404, new { error = $"No BMC '{key}' in this lab." });
                    return;
                }
                await BmcAsync(ctx, method, bmc, rest);
                return;
            default:
                await Json(ctx, 404, new { error = $"{method} {path} is not part of the lab control API." });
                return;
        }
    }

    private async Task BmcAsync(HttpContext ctx, string method, LabBmc bmc, string[] rest)
    {
        switch (rest)
        {
            case [] when HttpMethods.IsGet(method):
                await Json(ctx, 200, ControlViews.Bmc(bmc));
                break;
            case ["stats"] when HttpMethods.IsGet(method):
                await Json(ctx, 200, bmc.Stats);
                break;
            case ["stats", "reset"] when HttpMethods.IsPost(method):
                bmc.ResetStats();
                ctx.Response.StatusCode = 204;
                break;
            case ["faults"] when HttpMethods.IsGet(method):
                await Json(ctx, 200, bmc.Faults);
                break;
            case ["faults"] when HttpMethods.IsPut(method):
                if (await ReadFaults(ctx) is { } faults)
                {
                    bmc.Faults = faults;
                    await Json(ctx, 200, faults);
                }
                break;
            case ["faults"] when HttpMethods.IsDelete(method):
                bmc.Faults = FaultSettings.None;
                ctx.Response.StatusCode = 204;
                break;
            case ["netboot-faults"] when HttpMethods.IsGet(method):
                await Json(ctx, 200, bmc.Systems.Select(system => new { system.Id, system.NetbootFaults }));
                break;
            case ["netboot-faults"] when HttpMethods.IsPut(method):
                if (await ReadNetbootFaults(ctx) is { } netboot)
                {
                    foreach (var system in bmc.Systems) system.NetbootFaults = netboot;
                    await Json(ctx, 200, netboot);
                }
                break;
            case ["netboot-faults"] when HttpMethods.IsDelete(method):
                foreach (var system in bmc.Systems) system.NetbootFaults = NetbootFaults.None;
                ctx.Response.StatusCode = 204;
                break;
            case ["systems", var id, "power"] when HttpMethods.IsPost(method):
                await PowerAsync(ctx, bmc, Uri.UnescapeDataString(id));
                break;
            case ["sessions", "expire"] when HttpMethods.IsPost(method):
                bmc.ExpireSessions();
                ctx.Response.StatusCode = 204;
                break;
            case ["events", "drop"] when HttpMethods.IsPost(method):
                bmc.DropEventStreams();
                ctx.Response.StatusCode = 204;
                break;
            case ["unlock"] when HttpMethods.IsPost(method):
                bmc.Unlock();
                ctx.Response.StatusCode = 204;
                break;
            case ["recertify"] when HttpMethods.IsPost(method):
                if (!fleet.Options.Https)
                {
                    await Json(ctx, 409, new { error = "This lab serves plain HTTP: its BMCs have no certificates to replace." });
                    break;
                }
                await Json(ctx, 200, new { certificateSha256 = fleet.Recertify(bmc) });
                break;
            default:
                await Json(ctx, 404, new { error = "Unknown BMC control operation." });
                break;
        }
    }

    private sealed record PowerRequest(string? ResetType);

    /// <summary>
    /// Someone at the machine (or another tool) pressed a button: the same change a Redfish
    /// Reset makes, without going through the BMC's web service or its counters.
    /// </summary>
    private static async Task PowerAsync(HttpContext ctx, LabBmc bmc, string systemId)
    {
        if (bmc.FindSystem(systemId) is not { } system)
        {
            await Json(ctx, 404, new { error = $"BMC {bmc.Index} has no system '{systemId}'." });
            return;
        }
        PowerRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<PowerRequest>(ctx.Request.Body, JsonOptions, ctx.RequestAborted);
        }
        catch (JsonException e)
        {
            await Json(ctx, 400, new { error = $"Body is not valid JSON: {e.Message}" });
            return;
        }
        if (body?.ResetType is not { } type || !bmc.Profile.ResetTypes.Contains(type))
        {
            await Json(ctx, 400, new { error = $"resetType must be one of {string.Join(", ", bmc.Profile.ResetTypes)}." });
            return;
        }
        system.Reset(type);
        await Json(ctx, 200, new { system.Id, system.PowerState });
    }

    private object Summary() => new
    {
        BmcCount = fleet.Bmcs.Count,
        SystemCount = fleet.Systems.Count(),
        fleet.Port,
        fleet.Options.Https,
        fleet.Options.Seed,
        fleet.OutputDirectory,
        fleet.CredentialCsvPath,
        fleet.LeaseFilePath,
        fleet.CertificateDirectory,
        fleet.Options.NetbootUrl,
        fleet.Options.SimulatedNetbootUrl,
        VmBacked = fleet.Systems.Count(s => s.IsVmBacked),
        StartupMs = (int)fleet.StartupTime.TotalMilliseconds,
        Profiles = fleet.Bmcs.GroupBy(b => b.Profile.Name).ToDictionary(g => g.Key, g => g.Count()),
    };

    private static async Task<FaultSettings?> ReadFaults(HttpContext ctx)
    {
        try
        {
            var faults = await JsonSerializer.DeserializeAsync<FaultSettings>(ctx.Request.Body, JsonOptions, ctx.RequestAborted);
            var problem = faults is null ? "Body must be a JSON object." : Validate(faults);
            if (problem is null) return faults;
            await Json(ctx, 400, new { error = problem });
        }
        catch (JsonException e)
        {
            await Json(ctx, 400, new { error = $"Body is not valid fault settings JSON: {e.Message}" });
        }
        return null;
    }

    private static async Task<NetbootFaults?> ReadNetbootFaults(HttpContext ctx)
    {
        try
        {
            var faults = await JsonSerializer.DeserializeAsync<NetbootFaults>(ctx.Request.Body, JsonOptions, ctx.RequestAborted);
            var problem = faults is null ? "Body must be a JSON object." : faults.Validate();
            if (problem is null) return faults;
            await Json(ctx, 400, new { error = problem });
        }
        catch (JsonException e)
        {
            await Json(ctx, 400, new { error = $"Body is not valid netboot fault JSON: {e.Message}" });
        }
        return null;
    }

    private static string? Validate(FaultSettings f) =>
        f.LatencyMs < 0 ? "latencyMs must not be negative."
        : f.ErrorRate is < 0 or > 1 || f.TimeoutRate is < 0 or > 1 || f.MalformedJsonRate is < 0 or > 1 ? "Rates must be between 0 and 1."
        : f.ErrorStatusCode is not (500 or 503) ? "errorStatusCode must be 500 or 503."
        : null;

    private static Task Json(HttpContext ctx, int status, object? value)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        return JsonSerializer.SerializeAsync(ctx.Response.Body, value, JsonOptions, ctx.RequestAborted);
    }
}
