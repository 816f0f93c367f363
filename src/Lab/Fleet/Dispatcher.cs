using System.Net;
using Microsoft.AspNetCore.Http;
using Portal.Lab.Control;
using Portal.Lab.Redfish;

namespace Portal.Lab.Fleet;

/// <summary>
/// One Kestrel, many BMCs: the local address a connection came in on says which BMC it is for.
/// That scales to thousands of BMCs without thousands of web hosts.
/// </summary>
internal sealed class Dispatcher(IReadOnlyDictionary<IPAddress, LabBmc> bmcs, RedfishHandler redfish, ControlApi control,
    IPAddress controlIp, int controlPort, int bmcPort)
{
    public Task HandleAsync(HttpContext ctx)
    {
        var local = ctx.Connection.LocalIpAddress;
        if (local is null) return NotFound(ctx);
        if (local.IsIPv4MappedToIPv6) local = local.MapToIPv4();
        var port = ctx.Connection.LocalPort;
        if (port == controlPort && local.Equals(controlIp)) return control.HandleAsync(ctx);
        if (port == bmcPort && bmcs.TryGetValue(local, out var bmc)) return redfish.HandleAsync(ctx, bmc);
        return NotFound(ctx);
    }

    private static Task NotFound(HttpContext ctx)
    {
        ctx.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }
}
