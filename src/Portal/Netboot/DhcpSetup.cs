using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Portal.Account;
using Portal.Core.Discovery;
using Portal.Core.Persistence;
using Portal.Hosting;
using Portal.Netboot.Dhcp;

namespace Portal.Netboot;

/// <summary>Portal-managed dnsmasq (Netboot:Dhcp): its files in the data directory, its lease file as a discovery source, its admin API.</summary>
internal static class DhcpSetup
{
    public static void AddPortalDhcp(this WebApplicationBuilder builder) =>
        builder.Services.AddOptions<DhcpOptions>().PostConfigure<IOptions<PortalOptions>>((o, portal) =>
            o.StateDirectory ??= Path.Combine(portal.Value.DataDirectory, "dnsmasq"));

    /// <summary>
    /// In Full mode dnsmasq hands out the addresses on that network, BMCs included: its lease file is made
    /// a discovery source (once), so a BMC that gets an address is found and matched to the vendor
    /// credential list by its MAC at the next discovery, with no other step.
    /// </summary>
    public static void SeedDhcpLeaseSource(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<DhcpOptions>>().Value;
        if (options.Mode != DhcpMode.Full) return;
        var leases = app.Services.GetRequiredService<DnsmasqSupervisor>().LeaseFile;
        using var scope = app.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        if (db.DiscoverySources.Any(s => s.Kind == DiscoverySourceKind.DnsmasqLeases && s.Value == leases)) return;
        db.DiscoverySources.Add(DiscoverySource.Create(DiscoverySourceKind.DnsmasqLeases, leases, 443, useHttps: true, DateTimeOffset.UtcNow));
        db.SaveChanges();
        app.Logger.LogInformation("dnsmasq's lease file {Leases} added as a discovery source", leases);
    }

    public sealed record DhcpStatusResponse(string Mode, string? Interface, bool Running, int? ProcessId, DateTimeOffset? StartedAt, int Starts,
        string? LastError, DateTimeOffset? LastErrorAt, string? ConfigPath, string? LeaseFile, IReadOnlyList<DhcpLogLine> Recent);

    public static void MapDhcpApi(this RouteGroupBuilder api)
    {
        var dhcp = api.MapGroup("/netboot/dhcp").WithTags("Netboot").RequireAuthorization(IdentitySetup.AdminPolicy);

        dhcp.MapGet("/", Ok<DhcpStatusResponse> (DhcpStatus status) =>
            {
                var s = status.Current;
                return TypedResults.Ok(new DhcpStatusResponse(s.Mode.ToString(), s.Interface, s.Running, s.ProcessId, s.StartedAt, s.Starts,
                    s.LastError, s.LastErrorAt, s.ConfigPath, s.LeaseFile, s.Recent));
            })
            .WithName("GetDhcpStatus").WithSummary("This instance's dnsmasq: mode, interface, running or not, last error, recent DHCP/TFTP requests.");

        dhcp.MapGet("/dnsmasq.conf", Results<ContentHttpResult, ProblemHttpResult> (DnsmasqSupervisor dnsmasq, string? mode) =>
            {
                DhcpMode? asked = null;
                if (mode is not null)
                {
                    if (!Enum.TryParse<DhcpMode>(mode, ignoreCase: true, out var parsed) || parsed == DhcpMode.Off)
                        return TypedResults.Problem($"mode must be Proxy or Full, not '{mode}'.", statusCode: StatusCodes.Status400BadRequest);
                    asked = parsed;
                }
                var (config, problems) = dnsmasq.Render(asked);
                return config is null
                    ? TypedResults.Problem(string.Join(" ", problems), statusCode: StatusCodes.Status409Conflict, title: "No dnsmasq configuration can be written from these settings")
                    : TypedResults.Text(config, "text/plain; charset=utf-8");
            })
            .WithName("GetDnsmasqConfig")
            .WithSummary("The dnsmasq configuration Portal writes from Netboot:Dhcp, for operators who run dnsmasq themselves (?mode=Proxy|Full renders the other mode from the same settings).");
    }
}
