using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Netboot.Inputs;
using Portal.Netboot.Ipxe;
using Portal.Netboot.PhoneHome;
using Portal.Netboot.Templates;

namespace Portal.Netboot.Tests.RealFirmware;

/// <summary>
/// The netboot routes, the way the Portal host maps them but backed by one machine in memory
/// instead of the database: enough for real firmware to walk the whole chain. Listens on
/// 127.0.0.1 only and records every request in order as a timeline.
/// </summary>
internal sealed class FakePortal : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _timeline = new();
    private readonly ConcurrentQueue<InstallerEvent> _events = new();

    private FakePortal(WebApplication app) => _app = app;

    public NetbootMachine Machine { get; init; } = null!;
    public NetbootDeployment Deployment { get; init; } = null!;
    public PortalUrls Urls { get; private set; } = null!;
    public int Port { get; private set; }

    /// <summary>While true the machine is Provisioning and gets its installer; afterwards (e.g. Deployed) it boots its disk.</summary>
    public bool Provisioning { get; set; } = true;

    public IReadOnlyList<string> Timeline => _timeline.ToList();
    public IReadOnlyList<InstallerEvent> Events => _events.ToList();

    public static async Task<FakePortal> StartAsync(string bootFiles, NetbootMachine machine, NetbootDeployment deployment)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var portal = new FakePortal(app) { Machine = machine, Deployment = deployment };
        portal.Map(app, bootFiles);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        portal.Port = new Uri(address).Port;
        // The VM reaches the host's loopback through QEMU user networking as 10.0.2.2.
        portal.Urls = new PortalUrls($"http://10.0.2.2:{portal.Port}");
        return portal;
    }

    private NetbootContext Context => new(Machine, BuiltinProfiles.LabInstaller, Deployment, Urls);

    private void Map(WebApplication app, string bootFiles)
    {
        app.MapGet(NetbootRoutes.Bootstrap, () =>
        {
            _timeline.Enqueue("bootstrap");
            return Script(BootScripts.Bootstrap(Urls));
        });

        app.MapGet(NetbootRoutes.MachineScript, (HttpRequest request) =>
        {
            var parsed = BootQuery.Parse(request.Query);
            if (!parsed.IsValid)
            {
                _timeline.Enqueue("script rejected: " + parsed.Error);
                return Results.BadRequest(parsed.Error);
            }
            var query = parsed.Query!;
            var known = query.Mac is not null && Machine.Macs.Contains(query.Mac) || query.Uuid == Machine.Uuid;
            var who = $"mac={query.Mac} uuid={query.Uuid} serial={query.Serial} platform={query.Platform}";
            if (known && Provisioning)
            {
                _timeline.Enqueue($"script {who} -> installer");
                return Script(BootScripts.Installer(Context, TemplateSet.Builtin, query.FirmwareBootMode));
            }
            _timeline.Enqueue($"script {who} -> local disk");
            return Script(BootScripts.LocalDisk(known ? $"machine {Machine.Id} is not being provisioned" : "unknown machine"));
        });

        app.MapGet("/boot-files/lab-installer/{file}", (string file) =>
        {
            if (file is not ("vmlinuz" or "initrd.img")) return Results.NotFound();
            _timeline.Enqueue(file == "vmlinuz" ? "kernel" : "initrd");
            return Results.File(Path.Combine(bootFiles, file), "application/octet-stream", enableRangeProcessing: true);
        });

        app.MapGet(NetbootRoutes.Config, (string token) =>
        {
            if (token != Deployment.Token || !Provisioning) return Results.NotFound();
            _timeline.Enqueue("config");
            return Results.Text(TemplateSet.Builtin.RenderConfig(Context), "text/plain; charset=utf-8");
        });

        app.MapPost(NetbootRoutes.Events, async (string token, HttpRequest request) =>
        {
            if (token != Deployment.Token || !Provisioning) return Results.NotFound();
            var result = await InstallerEventParser.ReadAsync(request, request.HttpContext.RequestAborted);
            if (!result.IsValid)
            {
                _timeline.Enqueue($"event rejected: {result.Detail}");
                return Results.Problem(result.Detail, statusCode: result.StatusCode);
            }
            var e = result.Event!;
            _events.Enqueue(e);
            _timeline.Enqueue($"event {e.Phase.ToString().ToLowerInvariant()}{(e.Percent is { } p ? " " + p : "")}");
            return Results.NoContent();
        });
    }

    private static IResult Script(string text) => Results.Text(text, "text/plain; charset=utf-8");

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
