namespace Portal.Netboot.Inputs;

/// <summary>
/// Where the portal is as seen from the machine being installed (for a QEMU VM on user
/// networking that is http://10.0.2.2:PORT, not localhost), and the netboot routes under it.
/// The host maps endpoints on <see cref="NetbootRoutes"/> so scripts and routes cannot drift apart.
/// </summary>
public sealed record PortalUrls
{
    public PortalUrls(Uri baseUrl)
    {
        if (!baseUrl.IsAbsoluteUri || baseUrl.Scheme is not ("http" or "https"))
            throw new ArgumentException($"The portal base URL must be an absolute http(s) URL, got '{baseUrl}'.", nameof(baseUrl));
        if (!string.IsNullOrEmpty(baseUrl.Query) || !string.IsNullOrEmpty(baseUrl.Fragment))
            throw new ArgumentException($"The portal base URL must not have a query or fragment, got '{baseUrl}'.", nameof(baseUrl));
        Base = baseUrl.AbsoluteUri.TrimEnd('/');
    }

    public PortalUrls(string baseUrl) : this(new Uri(baseUrl, UriKind.Absolute)) { }

    /// <summary>The base URL without a trailing slash, e.g. <c>http://10.0.2.2:5080</c>.</summary>
    public string Base { get; }

    public string Bootstrap => Base + NetbootRoutes.Bootstrap;

    public string MachineScript => Base + NetbootRoutes.MachineScript;

    /// <summary>The rendered kickstart / lab config (for autoinstall: the user-data itself).</summary>
    public string Kickstart(string token) => Base + NetbootRoutes.Config.Replace("{token}", Checked(token));

    /// <summary>The NoCloud seed prefix cloud-init appends "user-data" / "meta-data" to; ends with a slash.</summary>
    public string NoCloudSeed(string token) => Kickstart(token) + "/";

    public string Events(string token) => Base + NetbootRoutes.Events.Replace("{token}", Checked(token));

    /// <summary>
    /// A boot file for one deployment: the portal path <c>/boot-files/x/vmlinuz</c> becomes
    /// <c>/netboot/files/TOKEN/x/vmlinuz</c>, the same file, served so that the download lands on that
    /// deployment's timeline. Anything else (a mirror's URL) resolves as <see cref="Resolve"/> does.
    /// </summary>
    public string ResolveFor(string urlOrPath, string token)
    {
        const string prefix = NetbootRoutes.BootFiles + "/";
        return urlOrPath.StartsWith(prefix, StringComparison.Ordinal) && urlOrPath.IndexOfAny(['?', '#']) < 0
            ? Resolve(NetbootRoutes.DeploymentFiles.Replace("{token}", Checked(token)).Replace("{**path}", urlOrPath[prefix.Length..]))
            : Resolve(urlOrPath);
    }

    /// <summary>An absolute URL as is, or a path resolved under the base URL (boot files served by the portal).</summary>
    public string Resolve(string urlOrPath)
    {
        if (Uri.TryCreate(urlOrPath, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
            return absolute.AbsoluteUri;
        if (urlOrPath.Contains("://", StringComparison.Ordinal) || urlOrPath.StartsWith("//", StringComparison.Ordinal))
            throw new ArgumentException($"Only http(s) URLs or portal paths can be booted, got '{urlOrPath}'.", nameof(urlOrPath));
        return new Uri(new Uri(Base + "/"), urlOrPath.TrimStart('/')).AbsoluteUri;
    }

    private static string Checked(string token) => NetbootToken.IsWellFormed(token)
        ? token
        : throw new ArgumentException("A netboot token must be 22-128 URL-safe characters (see NetbootToken.New).", nameof(token));
}

/// <summary>The netboot route table, shared by the scripts that point at routes and the host that maps them.</summary>
public static class NetbootRoutes
{
    public const string Bootstrap = "/boot.ipxe";
    public const string MachineScript = "/netboot/machine.ipxe";
    public const string Config = "/netboot/config/{token}";
    public const string UserData = "/netboot/config/{token}/user-data";
    public const string MetaData = "/netboot/config/{token}/meta-data";
    public const string Events = "/netboot/events/{token}";
    public const string BootFiles = "/boot-files";
    /// <summary>A boot file fetched by one deployment's installer script: on that deployment's timeline.</summary>
    public const string DeploymentFiles = "/netboot/files/{token}/{**path}";
    /// <summary>The iPXE builds of Debian's ipxe package, for UEFI HTTP boot (firmware that fetches its loader over HTTP).</summary>
    public const string Ipxe = "/netboot/ipxe";

    /// <summary>
    /// Requests firmware and installers make: they get bare status codes and never a sign-in page
    /// or friendly HTML error page, since nothing on the other end can read one.
    /// </summary>
    public static bool Owns(Microsoft.AspNetCore.Http.PathString path) =>
        path.StartsWithSegments(Bootstrap) || path.StartsWithSegments("/netboot") || path.StartsWithSegments(BootFiles);
}
