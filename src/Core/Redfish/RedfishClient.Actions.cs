using System.Net;
using System.Text.Json;
using Portal.Core.Redfish.Models;

namespace Portal.Core.Redfish;

/// <summary>Reset types from the Redfish ResetType enumeration.</summary>
public static class ResetTypes
{
    public const string On = "On";
    public const string ForceOff = "ForceOff";
    public const string GracefulShutdown = "GracefulShutdown";
    public const string GracefulRestart = "GracefulRestart";
    public const string ForceRestart = "ForceRestart";
    public const string ForceOn = "ForceOn";
    public const string PowerCycle = "PowerCycle";
    public const string PushPowerButton = "PushPowerButton";
    public const string Nmi = "Nmi";
}

public enum PowerState
{
    Unknown,
    On,
    Off,
    PoweringOn,
    PoweringOff,
    Paused,
}

public enum BootOverrideEnabled
{
    Disabled,
    Once,
    Continuous,
}

public enum BootMode
{
    UEFI,
    Legacy,
}

/// <summary>Common BootSourceOverrideTarget values.</summary>
public static class BootTargets
{
    public const string None = "None";
    public const string Pxe = "Pxe";
    public const string Hdd = "Hdd";
    public const string Cd = "Cd";
    public const string BiosSetup = "BiosSetup";
    public const string UefiHttp = "UefiHttp";
}

public sealed partial class RedfishClient
{
    /// <summary>
    /// Runs <c>#ComputerSystem.Reset</c>. The reset type is checked against what the system
    /// advertises (inline AllowableValues or its ActionInfo) before anything is sent, so an
    /// unsupported request is refused here with a clear reason instead of by the BMC.
    /// </summary>
    public async Task ResetAsync(ComputerSystem system, string resetType, CancellationToken ct = default)
    {
        var systemUrl = system.ODataId ?? throw Malformed((Uri?)null, "The system has no @odata.id.");
        var action = system.Actions?.Reset
            ?? throw Rejected(systemUrl, $"System {system.Id} does not offer #ComputerSystem.Reset.");
        var target = action.Target ?? throw Malformed(Resolve(systemUrl), "#ComputerSystem.Reset has no target.");

        var allowed = action.AllowableResetTypes;
        if (allowed is null && action.ActionInfo is { } infoLink)
        {
            var info = await GetAsync<ActionInfo>(infoLink, ct).ConfigureAwait(false);
            allowed = info.Parameters?.FirstOrDefault(p => p.Name == "ResetType")?.AllowableValues;
        }
        if (allowed is not null && !allowed.Contains(resetType, StringComparer.Ordinal))
            throw Rejected(target, $"Reset type '{resetType}' is not supported by system {system.Id} (allowed: {string.Join(", ", allowed)}).");

        var body = JsonSerializer.SerializeToUtf8Bytes(new { ResetType = resetType });
        var response = await SendAsync(new Request(HttpMethod.Post, Resolve(target), body, Idempotent: false), authenticate: true, ct).ConfigureAwait(false);
        EnsureActionAccepted(response);
    }

    public async Task ResetAsync(string systemOdataId, string resetType, CancellationToken ct = default) =>
        await ResetAsync(await GetAsync<ComputerSystem>(systemOdataId, ct).ConfigureAwait(false), resetType, ct).ConfigureAwait(false);

    public async Task<PowerState> GetPowerStateAsync(string systemOdataId, CancellationToken ct = default)
    {
        var system = await GetAsync<ComputerSystem>(systemOdataId, ct).ConfigureAwait(false);
        return Enum.TryParse<PowerState>(system.PowerState, ignoreCase: false, out var state) ? state : PowerState.Unknown;
    }

    /// <summary>
    /// Sets the boot source override, after checking the values against what the system allows.
    /// </summary>
    public Task SetBootOverrideAsync(string systemOdataId, string target, BootOverrideEnabled enabled, BootMode? mode = null, CancellationToken ct = default) =>
        PatchBootAsync(systemOdataId, system =>
        {
            var boot = system.Boot ?? throw Rejected(systemOdataId, $"System {system.Id} has no Boot settings.");
            CheckAllowed(systemOdataId, "boot target", target, boot.AllowableTargets);
            CheckAllowed(systemOdataId, "boot override mode", enabled.ToString(), boot.AllowableEnabled);
            if (mode is { } m)
                CheckAllowed(systemOdataId, "boot mode", m.ToString(), boot.AllowableModes);
            var patch = new Dictionary<string, object>
            {
                ["BootSourceOverrideTarget"] = target,
                ["BootSourceOverrideEnabled"] = enabled.ToString(),
            };
            if (mode is { } bootMode)
                patch["BootSourceOverrideMode"] = bootMode.ToString();
            return patch;
        }, ct);

    /// <summary>Sets the persistent <c>Boot.BootOrder</c> (BootOptionReference values, first tried first).</summary>
    public Task SetBootOrderAsync(string systemOdataId, IReadOnlyList<string> order, CancellationToken ct = default) =>
        PatchBootAsync(systemOdataId, system =>
        {
            if (system.Boot?.BootOrder is null) throw Rejected(systemOdataId, $"System {system.Id} has no Boot.BootOrder.");
            return new Dictionary<string, object> { ["BootOrder"] = order };
        }, ct);

    /// <summary>
    /// PATCHes the system's <c>Boot</c>: reads the system for its ETag, PATCHes with If-Match so a
    /// concurrent change is not overwritten, and on 412 (someone changed it in between) reads and
    /// tries once more.
    /// </summary>
    private async Task PatchBootAsync(string systemOdataId, Func<ComputerSystem, Dictionary<string, object>> bootPatch, CancellationToken ct)
    {
        for (var attempt = 1; ; attempt++)
        {
            var url = Resolve(systemOdataId);
            var read = await SendAsync(new Request(HttpMethod.Get, url), authenticate: true, ct).ConfigureAwait(false);
            EnsureSuccess(read);
            var system = Deserialize<ComputerSystem>(read);
            var body = JsonSerializer.SerializeToUtf8Bytes(new { Boot = bootPatch(system) });
            var etag = read.ETag ?? system.ODataEtag;
            var response = await SendAsync(new Request(HttpMethod.Patch, url, body, IfMatch: etag), authenticate: true, ct).ConfigureAwait(false);
            if (response.Status == HttpStatusCode.PreconditionFailed && attempt == 1)
                continue;
            EnsureActionAccepted(response);
            return;
        }
    }

    private void EnsureActionAccepted(Response response)
    {
        if (response.Status is HttpStatusCode.BadRequest or HttpStatusCode.MethodNotAllowed or HttpStatusCode.NotImplemented)
            throw Rejected(response.Request.Url.PathAndQuery, $"The BMC rejected the request ({(int)response.Status}{ErrorDetail(response)}).", response.Status);
        EnsureSuccess(response);
    }

    private void CheckAllowed(string url, string what, string value, IReadOnlyList<string>? allowed)
    {
        if (allowed is not null && !allowed.Contains(value, StringComparer.Ordinal))
            throw Rejected(url, $"The {what} '{value}' is not supported (allowed: {string.Join(", ", allowed)}).");
    }

    private RedfishException Rejected(string url, string message, HttpStatusCode? status = null) =>
        new(RedfishErrorKind.ActionRejected, Endpoint.Key, url, message, status);
}
