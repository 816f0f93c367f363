using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Portal.Core.Live;
using Portal.Core.Persistence;
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
        var netboot = endpoints.MapGroup("").AllowAnonymous().ExcludeFromDescription();

        netboot.MapGet(NetbootRoutes.Bootstrap, (HttpContext http) =>
            NetbootHttp.Urls(http) is { } urls
                ? NetbootHttp.Text(BootScripts.Bootstrap(urls))
                : NetbootHttp.Error(StatusCodes.Status400BadRequest, "the Host header is not a usable address"));
        netboot.MapGet(NetbootRoutes.MachineScript, MachineScript.HandleAsync);
        netboot.MapGet(NetbootRoutes.Config, (string token, HttpContext http, AppDbContext db, TemplateSetCache templates, ILiveUpdates live, TimeProvider clock) =>
            DeploymentFiles.ServeConfigAsync(db, templates, live, clock, token, DeploymentFiles.ConfigFile.Config, http));
        netboot.MapGet(NetbootRoutes.UserData, (string token, HttpContext http, AppDbContext db, TemplateSetCache templates, ILiveUpdates live, TimeProvider clock) =>
            DeploymentFiles.ServeConfigAsync(db, templates, live, clock, token, DeploymentFiles.ConfigFile.UserData, http));
        netboot.MapGet(NetbootRoutes.MetaData, (string token, HttpContext http, AppDbContext db, TemplateSetCache templates, ILiveUpdates live, TimeProvider clock) =>
            DeploymentFiles.ServeConfigAsync(db, templates, live, clock, token, DeploymentFiles.ConfigFile.MetaData, http));
        netboot.MapPost(NetbootRoutes.Events, PhoneHomeEndpoint.HandleAsync);
        netboot.MapGet(NetbootRoutes.BootFiles + "/{**path}", (string path, BootFiles files) => files.Serve(path));
        return netboot;
    }
}
