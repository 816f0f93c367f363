using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;

namespace Portal.Netboot.Serving;

/// <summary>
/// GET /boot-files/{path}: kernels and initrds from the configured folder, with range requests
/// (iPXE and installers resume and fetch in parts). The physical file provider refuses "..",
/// absolute paths and hidden files, so nothing outside the folder is reachable.
/// </summary>
internal sealed class BootFiles(IOptions<NetbootOptions> options)
{
    private readonly PhysicalFileProvider? _files =
        string.IsNullOrWhiteSpace(options.Value.BootFilesDirectory) || !Directory.Exists(options.Value.BootFilesDirectory)
            ? null
            : new PhysicalFileProvider(Path.GetFullPath(options.Value.BootFilesDirectory));

    public IResult Serve(string path)
    {
        if (_files is null || path.Length > 512) return NetbootHttp.NotFound();
        var file = _files.GetFileInfo(path);
        if (!file.Exists || file.IsDirectory || file.PhysicalPath is null) return NetbootHttp.NotFound();
        return TypedResults.PhysicalFile(file.PhysicalPath, "application/octet-stream", lastModified: file.LastModified, enableRangeProcessing: true);
    }
}
