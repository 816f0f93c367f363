using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Portal.Core.Provisioning;
using Portal.Netboot.Inputs;

namespace Portal.Netboot.Serving;

/// <summary>
/// The URLs machines may reach the Portal at, all from configuration: <c>Netboot:PublicBaseUrl</c>
/// and <c>Netboot:AlsoReachableAt</c>. A request's Host only chooses among them (a VM behind QEMU's
/// NAT asks for 10.0.2.2, the lab's simulated machines for 127.0.0.1); a Host that is not one of
/// them gets the public URL. The Host never becomes a URL by itself: the first fetch of a run
/// stores its script, so a forged Host would point the machine's installer at someone else.
/// </summary>
public sealed class NetbootBaseUrls : INetbootAddress
{
    // With each URL's scheme and authority (host:port as a Host header names it), parsed once: asked on every netboot request.
    private readonly IReadOnlyList<(string Scheme, string Authority, PortalUrls Urls)> allowed;

    public NetbootBaseUrls(IOptions<NetbootOptions> options)
    {
        var o = options.Value;
        allowed = new[] { o.PublicBaseUrl }.Concat(o.AlsoReachableAt)
            .Where(u => !string.IsNullOrWhiteSpace(u)).Select(u => new PortalUrls(u!.Trim()))
            .Select(urls => new Uri(urls.Base) is var uri ? (uri.Scheme, uri.Authority, urls) : default).ToList();
    }

    public string? Problem => allowed.Count > 0 ? null
        : "Netboot:PublicBaseUrl is not set: machines cannot be told where this Portal is, so nothing can be provisioned. "
          + "Set it to the URL machines reach the Portal at (e.g. http://10.0.0.5:5080) and restart.";

    /// <summary>The configured URL this request used, else the public one; null when none is configured.</summary>
    public PortalUrls? For(HttpRequest request)
    {
        if (allowed.Count == 0) return null;
        foreach (var (scheme, authority, urls) in allowed)
        {
            if (string.Equals(scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
                && string.Equals(authority, request.Host.Value, StringComparison.OrdinalIgnoreCase)) return urls;
        }
        return allowed[0].Urls;
    }
}
