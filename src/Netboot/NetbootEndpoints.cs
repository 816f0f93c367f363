using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Core.Live;
using Portal.Core.Persistence;
using Portal.Core.Provisioning.Workflow;
using Portal.Netboot.Dhcp;
using Portal.Netboot.Inputs;
using Portal.Netboot.Ipxe;
using Portal.Netboot.Serving;

namespace Portal.Netboot;

public static class NetbootEndpoints
{
    /// <summary>
    /// The netboot route table. Anonymous on purpose: firmware and installers cannot sign in. The
    /// config and events routes are guarded by the deployment's unguessable token instead.
    /// </summary>
    public static RouteGroupBuilder MapNetboot(this IEndpointRouteBuilder endpoints)
    {
        // Short-circuited: run straight from routing, skipping the rest of the host's pipeline (static
        // files, cookies, antiforgery, status pages). Firmware carries none of that, and a boot storm
        // should not pay for it.
        var netboot = endpoints.MapGroup("");
        netboot.AllowAnonymous().ExcludeFromDescription().ShortCircuit();
        netboot.LimitPerSourceAddress(endpoints.ServiceProvider); // Netboot:RateLimit; a filter, since short-circuited routes skip middleware
        var directory = endpoints.ServiceProvider.GetRequiredService<BootDirectory>();
        var sightings = endpoints.ServiceProvider.GetRequiredService<SightingRecorder>();
        var decisions = endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(NetbootDecisions.Category);
        var downloads = endpoints.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DeploymentDownloads).FullName!);

        // Files answer HEAD as GET (the server sends the headers, not the body): UEFI HTTP boot asks with
        // HEAD before it downloads. The per-machine script and a run's config do not: fetching them is an
        // event (a sighting, a run's "script fetched"), and a HEAD from someone's curl -I must not be one.
        // They answer it 405, like every other method they do not take — never with the sign-in redirect.
        netboot.MapMethods(NetbootRoutes.Bootstrap, GetAndHead, (HttpContext http) =>
            NetbootHttp.Urls(http) is { } urls
                ? NetbootHttp.Text(BootScripts.Bootstrap(urls))
                : NetbootHttp.NotConfigured());
        netboot.MapGet(NetbootRoutes.MachineScript, (RequestDelegate)(http => MachineScript.HandleAsync(http, directory, sightings, decisions)));
        netboot.MapGet(NetbootRoutes.Config, (string token, HttpContext http) => DeploymentFiles.ServeConfigAsync(token, DeploymentFiles.ConfigFile.Config, http));
        netboot.MapGet(NetbootRoutes.UserData, (string token, HttpContext http) => DeploymentFiles.ServeConfigAsync(token, DeploymentFiles.ConfigFile.UserData, http));
        netboot.MapGet(NetbootRoutes.MetaData, (string token, HttpContext http) => DeploymentFiles.ServeConfigAsync(token, DeploymentFiles.ConfigFile.MetaData, http));
        netboot.MapPost(NetbootRoutes.Events, PhoneHomeEndpoint.HandleAsync);
        netboot.MapMethods(NetbootRoutes.BootFiles + "/{**path}", GetAndHead, (string? path, BootFiles files) => files.Serve(path ?? ""));
        netboot.MapMethods(NetbootRoutes.Ipxe + "/{name}", GetAndHead, (string name, IpxeFiles files) => files.Serve(name));
        // GET only: a download is an event on its run's timeline.
        netboot.MapGet(NetbootRoutes.DeploymentFiles, (string token, string? path, HttpContext http, AppDbContext db, BootFiles files, ILiveUpdates live, TimeProvider clock) =>
            DeploymentDownloads.HandleAsync(token, path ?? "", http, db, files, live, clock, downloads));

        // Any other method: a plain 405 naming the right one. Without these the router's own 405
        // endpoint is not anonymous, and a stranger's POST /boot.ipxe was sent to the sign-in page.
        MethodNotAllowed(netboot, GetAndHead, NetbootRoutes.Bootstrap, NetbootRoutes.BootFiles + "/{**path}", NetbootRoutes.Ipxe + "/{name}");
        MethodNotAllowed(netboot, ["GET"], NetbootRoutes.MachineScript, NetbootRoutes.Config, NetbootRoutes.UserData, NetbootRoutes.MetaData, NetbootRoutes.DeploymentFiles);
        MethodNotAllowed(netboot, ["POST"], NetbootRoutes.Events);
        // Anything else under /netboot (a mistyped route, a path that "../" led out of a token's files):
        // a bare 404 here, never the sign-in page the rest of the host would redirect to.
        netboot.Map("/netboot/{**rest}", () => NetbootHttp.NotFound());
        return netboot;
    }

    private static readonly string[] Methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
    private static readonly string[] GetAndHead = ["GET", "HEAD"];

    private static void MethodNotAllowed(RouteGroupBuilder group, string[] allowed, params string[] patterns)
    {
        var allow = string.Join(", ", allowed);
        foreach (var pattern in patterns)
            group.MapMethods(pattern, Methods.Except(allowed), (HttpContext http) =>
            {
                http.Response.Headers.Allow = allow;
                return NetbootHttp.Error(StatusCodes.Status405MethodNotAllowed, $"use {allowed[0]}");
            });
    }
}
