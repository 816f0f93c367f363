using System.Net;
using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Account;
using Portal.Core.Auditing;
using Portal.Core.Bmcs;
using Portal.Core.Credentials;
using Portal.Core.Discovery;
using Portal.Core.Discovery.Runs;
using Portal.Core.Persistence;
using Portal.Shell;

namespace Portal.Discovery;

internal static class DiscoveryEndpoints
{
    public static void MapDiscoveryEndpoints(this WebApplication app)
    {
        var fragments = app.MapGroup("/fragments").RequireAuthorization(IdentitySetup.AdminPolicy).ExcludeFromDescription();
        fragments.MapGet("/discovery/progress", (DiscoveryProgressStore store, DiscoveryRunner runner) =>
            new RazorComponentResult<DiscoveryProgressCard>(new { Progress = store.Current, Running = runner.IsRunning }));
        fragments.MapGet("/bmcs", async (AppDbContext db, HttpContext http) =>
            new RazorComponentResult<BmcTable>(new { Rows = await db.BmcRowsAsync(http.RequestAborted) }));

        var admin = app.MapGroup("/admin/discovery").RequireAuthorization(IdentitySetup.AdminPolicy).RequireAntiforgery().ExcludeFromDescription();

        // Without JavaScript: redirect back. With htmx: answer with the progress fragment in place.
        admin.MapPost("/run", (DiscoveryRunner runner, DiscoveryProgressStore store, CurrentActor actor, IHostApplicationLifetime life, HttpContext http) =>
        {
            var started = runner.TryStartInBackground(actor.Get(), life.ApplicationStopping);
            var message = started ? null : "A discovery run is already in progress.";
            if (http.Request.Headers.ContainsKey("HX-Request"))
                return (IResult)new RazorComponentResult<DiscoveryProgressCard>(new { Progress = store.Current, Running = true, Message = message });
            return Results.Redirect("/admin/discovery" + (message is null ? "" : "?error=" + Uri.EscapeDataString(message)));
        });

        admin.MapPost("/sources", async (HttpContext http, AppDbContext db, CredentialProtector protector, CurrentActor actor, TimeProvider clock) =>
        {
            var form = await http.Request.ReadFormAsync();
            var error = SourceForm.TryCreate(form, protector, clock.GetUtcNow(), out var source);
            if (error is not null) return Results.Redirect("/admin/discovery?error=" + Uri.EscapeDataString(error));
            db.DiscoverySources.Add(source!);
            db.AuditEvents.Add(AuditEvent.Record(actor.Get(), "discovery.source-added", "discovery-source", null, $"{source!.Kind} {source.Value}:{source.Port}", clock.GetUtcNow()));
            await db.SaveChangesAsync();
            return Results.Redirect("/admin/discovery?notice=" + Uri.EscapeDataString($"Source {source.Value} added."));
        });

        admin.MapPost("/sources/{id:long}/{action:regex(^(enable|disable)$)}", async Task<Results<RedirectHttpResult, NotFound>> (long id, string action, AppDbContext db, CurrentActor actor, TimeProvider clock) =>
        {
            var source = await db.DiscoverySources.FindAsync(id);
            if (source is null) return TypedResults.NotFound();
            source.Enable(action == "enable");
            db.AuditEvents.Add(AuditEvent.Record(actor.Get(), $"discovery.source-{action}d", "discovery-source", id.ToString(), $"{source.Kind} {source.Value}", clock.GetUtcNow()));
            await db.SaveChangesAsync();
            return TypedResults.Redirect("/admin/discovery");
        });

        admin.MapPost("/onboard", async (HttpContext http, DiscoveryRunner runner, CurrentActor actor) =>
        {
            var form = await http.Request.ReadFormAsync();
            if (!MacAddress.TryParse(form["mac"].ToString(), out var mac, out var macError))
                return Results.Redirect("/admin/discovery?error=" + Uri.EscapeDataString($"Not a MAC address: {macError}"));
            var result = await runner.OnboardByMacAsync(mac, actor.Get(), http.RequestAborted);
            return Results.Redirect("/admin/discovery?" + (result.Inventoried == 1
                ? "notice=" + Uri.EscapeDataString($"{mac} onboarded: {result.Machines} machine(s).")
                : "error=" + Uri.EscapeDataString($"{mac} not onboarded: " + string.Join(" ", result.Issues.DefaultIfEmpty(result.PendingCredentials == 1 ? "no credentials for this MAC." : "see the BMC list for the reason.")))));
        });
    }
}

/// <summary>Reads and validates the "add source" form. Returns an error message, or null with the source.</summary>
internal static class SourceForm
{
    public static string? TryCreate(IFormCollection form, CredentialProtector protector, DateTimeOffset now, out DiscoverySource? source)
    {
        source = null;
        if (!Enum.TryParse<DiscoverySourceKind>(form["kind"], out var kind) || !Enum.IsDefined(kind)) return "Choose the kind of source.";
        var value = form["value"].ToString().Trim();
        if (value.Length is 0 or > 1024) return "Give a path, range or address (at most 1024 characters).";
        if (!int.TryParse(form["port"], out var port) || port is < 1 or > 65535) return "The port must be a number from 1 to 65535.";
        switch (kind)
        {
            case DiscoverySourceKind.Cidr when !CidrRange.TryParse(value, out var range, out var cidrError)
                                               || !range.TryExpand(CidrRange.DefaultMaxAddresses, out _, out cidrError): return $"Not a usable range: {cidrError}";
            case DiscoverySourceKind.Address when Uri.CheckHostName(value) == UriHostNameType.Unknown: return $"Not a host name or IP address: {value}";
            case DiscoverySourceKind.DnsmasqLeases or DiscoverySourceKind.IscLeases when !Path.IsPathRooted(value): return "Give the lease file as an absolute path.";
        }
        var username = form["username"].ToString().Trim();
        var password = form["password"].ToString();
        if (username.Length > 64 || password.Length > 128) return "The login is too long (username 64, password 128 characters at most).";
        if ((username.Length == 0) != (password.Length == 0)) return "Give both a username and a password, or neither.";
        source = DiscoverySource.Create(kind, value, port, form["https"] == "true", now,
            username.Length == 0 ? null : username, password.Length == 0 ? null : protector.Protect(password));
        return null;
    }
}
