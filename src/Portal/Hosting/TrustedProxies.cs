using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Portal.Hosting;

/// <summary>
/// Behind a reverse proxy every request comes from the proxy's address, and a netboot token is
/// bound to the address that fetched the script. With <c>Network:TrustedProxies</c> (IP addresses)
/// the Portal takes the client's address from X-Forwarded-For / X-Forwarded-Proto, but only on
/// connections from those proxies; anyone else's X-Forwarded-For is ignored. Unset: no proxy is trusted.
/// </summary>
public static class TrustedProxies
{
    public const string Section = "Network:TrustedProxies";

    public static void UsePortalTrustedProxies(this WebApplication app)
    {
        var proxies = app.Configuration.GetSection(Section).Get<string[]>() ?? [];
        if (proxies.Length == 0) return;
        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto, ForwardLimit = 1 };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in proxies)
        {
            if (!IPAddress.TryParse(proxy.Trim(), out var address))
                throw new InvalidOperationException($"{Section} holds \"{proxy}\", which is not an IP address.");
            options.KnownProxies.Add(address);
        }
        app.UseForwardedHeaders(options);
        // Routing after the forwarded headers: netboot's endpoints are short-circuited from routing
        // and would otherwise see the proxy's address.
        app.UseRouting();
    }
}
