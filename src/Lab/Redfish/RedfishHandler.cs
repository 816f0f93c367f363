using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using static Portal.Lab.Redfish.RedfishErrors;

namespace Portal.Lab.Redfish;

/// <summary>
/// Entry point for every request that reaches a BMC address: counts it, applies the BMC's
/// faults, authenticates, routes to the resource and writes the Redfish answer.
/// </summary>
internal sealed class RedfishHandler(LabOptions options, CancellationToken stopping, ILogger logger)
{
    private const string Root = ServiceResources.Root;

    public async Task HandleAsync(HttpContext ctx, LabBmc bmc)
    {
        bmc.Counter.Enter();
        // A request stops counting as in flight when its answer starts: the client cannot have
        // the answer before that, so a client that sends its next request on receipt is never
        // counted twice (counting until the handler returns overstated MaxInFlight by one).
        var counted = 1;
        void Exit()
        {
            if (Interlocked.Exchange(ref counted, 0) == 1) bmc.Counter.Exit();
        }
        ctx.Response.OnStarting(() =>
        {
            Exit();
            return Task.CompletedTask;
        });
        try
        {
            await HandleCoreAsync(ctx, bmc);
        }
        finally
        {
            Exit();
        }
    }

    private async Task HandleCoreAsync(HttpContext ctx, LabBmc bmc)
    {
        var faults = bmc.Faults;
        if (!faults.IsNone)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, stopping);
            try
            {
                if (faults.LatencyMs > 0) await Task.Delay(faults.LatencyMs, cts.Token);
                // A hung BMC: accept the request, never answer; the client's timeout ends it.
                if (Roll(faults.TimeoutRate)) await Task.Delay(Timeout.Infinite, cts.Token);
            }
            catch (OperationCanceledException)
            {
                ctx.Abort();
                return;
            }
            if (Roll(faults.ErrorRate))
            {
                await WriteAsync(ctx, faults.ErrorStatusCode == 503 ? ServiceTemporarilyUnavailable() : InternalError(), malformed: false);
                return;
            }
        }

        RedfishReply reply;
        try
        {
            reply = await RouteAsync(ctx, bmc, faults);
            if (reply.EventStream)
            {
                await EventResources.StreamAsync(ctx, bmc, stopping);
                return;
            }
        }
        catch (JsonException)
        {
            reply = MalformedJson();
        }
        if (reply.Status >= 400) logger.LogDebug("{Bmc} {Method} {Path} -> {Status}", bmc.Address, ctx.Request.Method, ctx.Request.Path, reply.Status);
        await WriteAsync(ctx, reply, reply.Body is not null && Roll(faults.MalformedJsonRate));
    }

    private static bool Roll(double rate) => rate >= 1 || (rate > 0 && Random.Shared.NextDouble() < rate);

    private async Task<RedfishReply> RouteAsync(HttpContext ctx, LabBmc bmc, FaultSettings faults)
    {
        var method = ctx.Request.Method;
        var path = ctx.Request.Path.Value ?? "/";
        if (path.Length > 1 && path.EndsWith('/')) path = path.TrimEnd('/');

        if (path == "/redfish") return Read(method, path, ServiceResources.Versions());
        if (path != Root && !path.StartsWith(Root + "/", StringComparison.Ordinal)) return NotFound(path);
        string[] s = path.Length == Root.Length ? [] : path[(Root.Length + 1)..].Split('/');

        // The service root, the OData document and login are open to everyone (DSP0266 §13.3).
        switch (s)
        {
            case []: return Read(method, path, ServiceResources.ServiceRoot(bmc));
            case ["odata"]: return Read(method, path, ServiceResources.ODataServiceDocument());
            case ["SessionService", "Sessions"] when method == HttpMethods.Post: return await CreateSessionAsync(ctx, bmc, faults);
        }

        if (Authenticate(ctx, bmc, faults) is { } denied) return denied;

        return s switch
        {
            ["SessionService"] => Read(method, path, ServiceResources.SessionService(bmc)),
            ["SessionService", "Sessions"] => Read(method, path, ServiceResources.Sessions(bmc), "GET, HEAD, POST"),
            ["SessionService", "Sessions", var id] => Session(method, path, bmc, id),
            ["AccountService"] => Read(method, path, ServiceResources.AccountService(bmc, options)),
            ["AccountService", "Accounts"] => Read(method, path, ServiceResources.Accounts(bmc)),
            ["AccountService", "Accounts", var id] when id == ServiceResources.AccountId(bmc) => Read(method, path, ServiceResources.Account(bmc)),
            ["EventService"] => Read(method, path, EventResources.EventService(bmc)),
            ["EventService", "SSE"] when bmc.Profile.ServerSentEvents && HttpMethods.IsGet(method) => RedfishReply.Stream,
            ["Systems"] => Read(method, path, SystemResources.Systems(bmc)),
            ["Systems", var id, .. var rest] when bmc.FindSystem(id) is { } system => await SystemAsync(ctx, method, path, system, rest),
            ["Chassis"] => Read(method, path, ChassisResources.Collection(bmc)),
            ["Chassis", var id] => Read(method, path, ChassisResources.Chassis(bmc, id)),
            ["Chassis", var id, "PCIeDevices"] => Read(method, path, ChassisResources.PcieDevices(bmc, id)),
            ["Chassis", var id, "PCIeDevices", var dev] => Read(method, path, ChassisResources.PcieDevice(bmc, id, dev)),
            ["Chassis", var id, "PCIeDevices", var dev, "PCIeFunctions"] => Read(method, path, ChassisResources.PcieFunctions(bmc, id, dev)),
            ["Chassis", var id, "PCIeDevices", var dev, "PCIeFunctions", var fn] => Read(method, path, ChassisResources.PcieFunction(bmc, id, dev, fn)),
            ["Managers"] => Read(method, path, ManagerResources.Collection(bmc)),
            ["Managers", var id] => Read(method, path, ManagerResources.Manager(bmc, id)),
            ["Managers", var id, "EthernetInterfaces"] => Read(method, path, ManagerResources.EthernetInterfaces(bmc, id)),
            ["Managers", var id, "EthernetInterfaces", var nic] => Read(method, path, ManagerResources.EthernetInterface(bmc, id, nic)),
            _ => NotFound(path),
        };
    }

    private async Task<RedfishReply> SystemAsync(HttpContext ctx, string method, string path, LabSystem system, string[] rest)
    {
        var storage = !system.Bmc.Profile.SimpleStorageOnly;
        return rest switch
        {
            [] when method == HttpMethods.Patch => await PatchSystemAsync(ctx, system),
            [] => Read(method, path, SystemResources.System(system), "GET, HEAD, PATCH"),
            ["Actions", "ComputerSystem.Reset"] when method == HttpMethods.Post => await ResetAsync(ctx, system),
            ["Actions", "ComputerSystem.Reset"] => MethodNotAllowed(method, path, "POST"),
            ["Processors"] => Read(method, path, SystemResources.Processors(system)),
            ["Processors", var id] => Read(method, path, SystemResources.Processor(system, id)),
            ["Memory"] => Read(method, path, SystemResources.Memory(system)),
            ["Memory", var id] => Read(method, path, SystemResources.Dimm(system, id)),
            ["BootOptions"] when system.Bmc.Profile.BootOrder => Read(method, path, SystemResources.BootOptions(system)),
            ["BootOptions", var id] when system.Bmc.Profile.BootOrder => Read(method, path, SystemResources.BootOption(system, id)),
            ["EthernetInterfaces"] => Read(method, path, SystemResources.EthernetInterfaces(system)),
            ["EthernetInterfaces", var id] => Read(method, path, SystemResources.EthernetInterface(system, id)),
            ["Storage"] when storage => Read(method, path, SystemResources.Storage(system)),
            ["Storage", var id] when storage => Read(method, path, SystemResources.StorageController(system, id)),
            ["Storage", var id, "Drives", var drive] when storage => Read(method, path, SystemResources.Drive(system, id, drive)),
            ["SimpleStorage"] when !storage => Read(method, path, SystemResources.SimpleStorages(system)),
            ["SimpleStorage", var id] when !storage => Read(method, path, SystemResources.SimpleStorage(system, id)),
            _ => NotFound(path),
        };
    }

    /// <summary>A read-only resource: 404 when it does not exist, 405 for anything but GET/HEAD.</summary>
    private static RedfishReply Read(string method, string path, JsonObject? body, string allow = "GET, HEAD")
    {
        if (body is null) return NotFound(path);
        return HttpMethods.IsGet(method) || HttpMethods.IsHead(method) ? RedfishReply.Ok(body) : MethodNotAllowed(method, path, allow);
    }

    private static RedfishReply? Authenticate(HttpContext ctx, LabBmc bmc, FaultSettings faults)
    {
        if (faults.FailAuth) return Unauthorized();
        var token = ctx.Request.Headers["X-Auth-Token"].ToString();
        if (token.Length > 0) return bmc.Security.UseToken(token) is null ? Unauthorized() : null;

        var header = ctx.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase)) return Unauthorized();
        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
        }
        catch (FormatException)
        {
            return Unauthorized();
        }
        var colon = decoded.IndexOf(':');
        if (colon < 0) return Unauthorized();
        return bmc.Security.CheckPassword(decoded[..colon], decoded[(colon + 1)..]) switch
        {
            LoginResult.Ok => null,
            LoginResult.LockedOut => LockedOut(),
            _ => Unauthorized(),
        };
    }

    private static async Task<JsonObject?> ReadObjectAsync(HttpContext ctx)
    {
        var node = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted);
        return node as JsonObject;
    }

    private static async Task<RedfishReply> CreateSessionAsync(HttpContext ctx, LabBmc bmc, FaultSettings faults)
    {
        if (await ReadObjectAsync(ctx) is not { } body) return MalformedJson();
        if (body["UserName"] is not JsonValue user || user.GetValueKind() != JsonValueKind.String) return PropertyMissing("UserName");
        if (body["Password"] is not JsonValue password || password.GetValueKind() != JsonValueKind.String) return PropertyMissing("Password");
        if (faults.FailAuth) return Unauthorized();
        switch (bmc.Security.CheckPassword(user.GetValue<string>(), password.GetValue<string>()))
        {
            case LoginResult.LockedOut: return LockedOut();
            case LoginResult.BadCredentials: return Unauthorized();
        }
        var session = bmc.Security.CreateSession(user.GetValue<string>());
        if (session is null) return SessionLimitExceeded();
        return new RedfishReply(201, ServiceResources.Session(session))
        {
            Location = ServiceResources.SessionUri(session.Id),
            AuthToken = session.Token,
        };
    }

    private static RedfishReply Session(string method, string path, LabBmc bmc, string id)
    {
        var session = bmc.Security.Find(id);
        if (session is null) return NotFound(path);
        if (HttpMethods.IsDelete(method))
        {
            bmc.Security.Delete(id);
            return RedfishReply.NoContent;
        }
        return Read(method, path, ServiceResources.Session(session), "GET, HEAD, DELETE");
    }

    private static async Task<RedfishReply> ResetAsync(HttpContext ctx, LabSystem system)
    {
        const string action = "ComputerSystem.Reset";
        if (await ReadObjectAsync(ctx) is not { } body) return MalformedJson();
        if (body["ResetType"] is not { } node) return ActionParameterMissing(action, "ResetType");
        var value = node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : node.ToJsonString();
        if (!system.Bmc.Profile.ResetTypes.Contains(value)) return ActionParameterValueNotInList(value, "ResetType", action);
        system.Reset(value);
        return RedfishReply.NoContent;
    }

    private static readonly HashSet<string> ReadOnlySystemProperties =
    [
        "@odata.id", "@odata.type", "Id", "Name", "SystemType", "Manufacturer", "Model", "SerialNumber", "UUID",
        "BiosVersion", "HostName", "PowerState", "Status", "ProcessorSummary", "MemorySummary", "Processors", "Memory",
        "EthernetInterfaces", "Storage", "SimpleStorage", "PCIeDevices", "Links", "Actions",
    ];

    private static async Task<RedfishReply> PatchSystemAsync(HttpContext ctx, LabSystem system)
    {
        if (await ReadObjectAsync(ctx) is not { } body) return MalformedJson();
        var ifMatch = ctx.Request.Headers.IfMatch.ToString();

        // Validate the whole request before changing anything: PATCH is all or nothing here.
        var bootChanges = new List<Func<BootOverride, BootOverride>>();
        IReadOnlyList<string>? bootOrder = null;
        string? assetTag = null;
        foreach (var (name, value) in body)
        {
            switch (name)
            {
                case "Boot":
                    if (value is not JsonObject b) return PropertyValueTypeError(value?.ToJsonString() ?? "null", "Boot");
                    foreach (var (field, fieldValue) in b)
                    {
                        if (field == "BootOrder" && system.Bmc.Profile.BootOrder)
                        {
                            if (system.Bmc.Faults.ReadOnlyBootOrder) return PropertyNotWritable("Boot/BootOrder");
                            if (ValidBootOrder(system, fieldValue, out var error) is not { } order) return error!;
                            bootOrder = order;
                            continue;
                        }
                        var allowed = field switch
                        {
                            "BootSourceOverrideTarget" => BootOverride.Targets,
                            "BootSourceOverrideEnabled" => BootOverride.EnabledValues,
                            "BootSourceOverrideMode" => BootOverride.Modes,
                            _ => null,
                        };
                        if (allowed is null)
                        {
                            return field.EndsWith("@Redfish.AllowableValues") ? PropertyNotWritable($"Boot/{field}") : PropertyUnknown($"Boot/{field}");
                        }
                        if (fieldValue is not JsonValue fv || fv.GetValueKind() != JsonValueKind.String)
                        {
                            return PropertyValueTypeError(fieldValue?.ToJsonString() ?? "null", field);
                        }
                        var text = fv.GetValue<string>();
                        if (!allowed.Contains(text)) return PropertyValueNotInList(text, field);
                        bootChanges.Add(field switch
                        {
                            "BootSourceOverrideTarget" => o => o with { Target = text },
                            "BootSourceOverrideEnabled" => o => o with { Enabled = text },
                            _ => o => o with { Mode = text },
                        });
                    }
                    break;
                case "AssetTag":
                    if (value is not JsonValue tag || tag.GetValueKind() != JsonValueKind.String) return PropertyValueTypeError(value?.ToJsonString() ?? "null", "AssetTag");
                    assetTag = tag.GetValue<string>();
                    break;
                default:
                    return ReadOnlySystemProperties.Contains(name) ? PropertyNotWritable(name) : PropertyUnknown(name);
            }
        }

        // Check the precondition and apply under the BMC lock so no other change slips in between.
        lock (system.Bmc.Sync)
        {
            var current = ETagOf(SystemResources.System(system));
            if (ifMatch.Length == 0)
            {
                if (system.Bmc.Profile.RequiresIfMatch) return PreconditionRequired();
            }
            else if (ifMatch.Trim() != "*" && !ifMatch.Split(',').Select(t => t.Trim()).Contains(current))
            {
                return PreconditionFailed();
            }
            if (bootChanges.Count > 0) system.SetBootOverride(bootChanges.Aggregate(system.Boot, (b, change) => change(b)));
            if (bootOrder is not null) system.SetBootOrder(bootOrder);
            if (assetTag is not null) system.SetAssetTag(assetTag);
            return RedfishReply.Ok(SystemResources.System(system));
        }
    }

    /// <summary>A new BootOrder names every boot option of the system exactly once, as firmware keeps them.</summary>
    private static IReadOnlyList<string>? ValidBootOrder(LabSystem system, JsonNode? value, out RedfishReply? error)
    {
        error = null;
        var text = value?.ToJsonString() ?? "null";
        if (value is not JsonArray items || items.Any(i => i is not JsonValue v || v.GetValueKind() != JsonValueKind.String))
        {
            error = PropertyValueTypeError(text, "BootOrder");
            return null;
        }
        var order = items.Select(i => i!.GetValue<string>()).ToList();
        var known = system.BootOptions.Select(o => o.Reference).ToList();
        if (order.FirstOrDefault(r => !known.Contains(r)) is { } unknown)
            error = PropertyValueNotInList(unknown, "BootOrder");
        else if (order.Count != known.Count || order.Distinct().Count() != order.Count)
            error = PropertyValueFormatError(text, "BootOrder");
        return error is null ? order : null;
    }

    public static string ETagOf(JsonNode body) => ETagOf(JsonSerializer.SerializeToUtf8Bytes(body));

    private static string ETagOf(byte[] json) => $"\"{Convert.ToHexStringLower(SHA256.HashData(json), 0, 8)}\"";

    private static async Task WriteAsync(HttpContext ctx, RedfishReply reply, bool malformed)
    {
        var response = ctx.Response;
        response.StatusCode = reply.Status;
        var headers = response.Headers;
        headers["OData-Version"] = "4.0";
        headers.CacheControl = "no-cache";
        if (reply.Location is not null) headers.Location = reply.Location;
        if (reply.Allow is not null) headers.Allow = reply.Allow;
        if (reply.AuthToken is not null) headers["X-Auth-Token"] = reply.AuthToken;
        if (reply.RetryAfter is not null) headers.RetryAfter = reply.RetryAfter;
        if (reply.Challenge) headers.WWWAuthenticate = "Basic realm=\"RedfishService\"";
        if (reply.Body is null) return;

        var json = JsonSerializer.SerializeToUtf8Bytes(reply.Body);
        if (reply.WithETag) headers.ETag = ETagOf(json);
        // A BMC with a broken web server: the body stops half-way through.
        if (malformed) json = json[..(json.Length / 2)];
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = json.Length;
        if (!HttpMethods.IsHead(ctx.Request.Method)) await response.Body.WriteAsync(json, ctx.RequestAborted);
    }
}
