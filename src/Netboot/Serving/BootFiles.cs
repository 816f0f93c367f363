using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Portal.Core.Files;

namespace Portal.Netboot.Serving;

/// <summary>
/// GET /boot-files/{path}: kernels and initrds from the configured folder, with range requests
/// (iPXE and installers resume and fetch in parts). Only regular files that really lie under the
/// folder are served: the path is checked as text first (no "..", no encoded or backslash
/// separators, no NUL; refused as 404), then resolved by the operating system with every symbolic link followed,
/// and the final file must be inside the folder's own resolved path and be a regular file.
/// </summary>
/// <remarks>
/// A link whose final target stays inside the folder is served on purpose: admins keep one kernel
/// under a versioned name and point "current" at it, and such a link reaches nothing the folder
/// does not already serve. A link out of the folder, a dangling link, a directory, a device or a
/// FIFO is a 404. The check and the open are not atomic; the folder belongs to the admin, and the
/// file opened is the resolved path (no links left to swap) rather than the requested one.
/// </remarks>
internal sealed class BootFiles(IOptions<NetbootOptions> options)
{
    private const int MaxPathLength = 512;

    /// <summary>The folder's own real path (it may itself be a link, e.g. /srv/boot → /data/boot), with a trailing separator.</summary>
    private readonly string? _root = RealFiles.RealFolder(options.Value.BootFilesDirectory ?? "");

    public IResult Serve(string path) => Find(path) is { } file ? Serve(file) : NetbootHttp.NotFound();

    /// <summary>The regular file <paramref name="path"/> names inside the folder, or null (for a 404).</summary>
    public FileInfo? Find(string path)
    {
        // A traversal attempt is "not found" like any other name outside the folder: nothing tells a guesser why.
        if (_root is null || IsTraversal(path) || IsHidden(path)) return null;
        if (RealFiles.RealPath(_root + path) is not { } real || !real.StartsWith(_root, StringComparison.Ordinal) || !RealFiles.IsRegularFile(real))
            return null;
        return new FileInfo(real);
    }

    public static IResult Serve(FileInfo file) =>
        TypedResults.PhysicalFile(file.FullName, "application/octet-stream", lastModified: file.LastWriteTimeUtc, enableRangeProcessing: true);

    /// <summary>
    /// Anything that could name a file outside the folder, however it was spelled. Kestrel has already
    /// decoded %xx (except %2F) and removed dot segments from the request path; this also catches what
    /// arrives after that: a literal or double-encoded "%", backslashes, NUL and control characters, an
    /// absolute path, and empty, "." or ".." segments.
    /// </summary>
    internal static bool IsTraversal(string path)
    {
        if (path.Length is 0 or > MaxPathLength || path[0] == '/') return true;
        foreach (var c in path)
            if (c is '\\' or '%' || char.IsControl(c)) return true;
        foreach (var segment in path.Split('/'))
            if (segment is "" or "." or "..") return true;
        return false;
    }

    /// <summary>Dot files are never served (editor backups, .git): the folder's contents are public.</summary>
    private static bool IsHidden(string path) => path.Split('/').Any(s => s.StartsWith('.'));
}

/// <summary>
/// Kestrel removes dot segments before routing, so "/boot-files/../../etc/passwd" (or its %2e spelling)
/// arrives as "/etc/passwd" and would get whatever the rest of the host answers there (a sign-in redirect).
/// It can never reach a file outside the folder, but a traversal attempt should be refused as one: the
/// netboot 404 at the very start of the pipeline, for any request whose target named /boot-files/ and
/// whose normalized path has left it.
/// </summary>
internal sealed class BootFilesTraversalGuard : IStartupFilter
{
    private const string Prefix = Inputs.NetbootRoutes.BootFiles + "/";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((http, nextMiddleware) =>
        {
            var raw = http.Features.Get<IHttpRequestFeature>()?.RawTarget;
            if (raw is not null && !http.Request.Path.StartsWithSegments(Inputs.NetbootRoutes.BootFiles, StringComparison.OrdinalIgnoreCase) && NamesBootFiles(raw))
                return NetbootHttp.NotFound().ExecuteAsync(http);
            return nextMiddleware(http);
        });
        next(app);
    };

    private static bool NamesBootFiles(string rawTarget)
    {
        var path = rawTarget.Split('?', 2)[0];
        try { path = Uri.UnescapeDataString(path); }
        catch (UriFormatException) { }
        return path.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);
    }
}
