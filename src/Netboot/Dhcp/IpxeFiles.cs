using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Portal.Netboot.Serving;

namespace Portal.Netboot.Dhcp;

/// <summary>
/// GET /netboot/ipxe/{name}: the iPXE loaders of Debian's ipxe package over HTTP, for UEFI HTTP boot
/// (the firmware is handed this URL instead of a TFTP name). Only the named builds, from the one folder:
/// nothing else there is anyone's business.
/// </summary>
internal sealed class IpxeFiles(IOptions<DhcpOptions> options)
{
    private static readonly HashSet<string> Served = [DnsmasqConfig.EfiLoader, "snponly.efi", DnsmasqConfig.BiosLoader];

    public IResult Serve(string name)
    {
        var path = Path.Combine(options.Value.IpxeDirectory, name);
        if (!Served.Contains(name) || !File.Exists(path)) return NetbootHttp.NotFound();
        return TypedResults.PhysicalFile(path, "application/efi", lastModified: File.GetLastWriteTimeUtc(path), enableRangeProcessing: true);
    }
}
