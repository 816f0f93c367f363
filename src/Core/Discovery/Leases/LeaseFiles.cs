using System.Text;
using Microsoft.Extensions.Options;
using Portal.Core.Discovery.Runs;
using Portal.Core.Files;

namespace Portal.Core.Discovery.Leases;

/// <summary>
/// Reads lease files for discovery, and only lease files: a source's path must lie under one of
/// Discovery:LeaseDirectories once every link is followed, name a regular file (not a device such as
/// /dev/zero, a FIFO or a directory), and be at most Discovery:MaxLeaseFileBytes long. Reasons name the
/// path and the rule, never the file's content.
/// </summary>
public sealed class LeaseFiles(IOptions<DiscoveryOptions> options)
{
    private DiscoveryOptions Options => options.Value;

    public sealed record Read(string? Text, string? Problem);

    /// <summary>For the source form: why this path can never be read as a lease file, or null. The file itself may not exist yet.</summary>
    public string? PathProblem(string path)
    {
        if (!Path.IsPathRooted(path)) return "Give the lease file as an absolute path.";
        if (path.Any(char.IsControl)) return "The path contains a control character.";
        // The file may appear later (dnsmasq creates it on its first lease); its folder must be allowed already.
        var full = Path.GetFullPath(path);
        var real = RealFiles.RealPath(full)
                   ?? (RealFiles.RealPath(Path.GetDirectoryName(full) ?? "/") is { } folder ? Path.Combine(folder, Path.GetFileName(full)) : full);
        return Allowed(real) ? null : $"Lease files are read only from {Directories} (Discovery:LeaseDirectories); this path is not in one of them.";
    }

    /// <summary>The file's text, or why it was not read.</summary>
    public async Task<Read> ReadAsync(string path, CancellationToken ct)
    {
        if (!Path.IsPathRooted(path) || path.Any(char.IsControl)) return new(null, "not an absolute path");
        if (RealFiles.RealPath(path) is not { } real) return new(null, "does not exist (or a link in its path leads nowhere)");
        if (!Allowed(real)) return new(null, $"is outside the lease directories ({Directories}; Discovery:LeaseDirectories)");
        if (!RealFiles.IsRegularFile(real)) return new(null, "is not a regular file");
        try
        {
            // Open the resolved path (no link left to swap) and read at most one byte past the limit:
            // the size may change between the check and the read, and reading never allocates more.
            await using var stream = new FileStream(real, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024, useAsync: true);
            var limit = Options.MaxLeaseFileBytes;
            if (stream.Length > limit) return new(null, TooLarge(limit));
            using var content = new MemoryStream((int)stream.Length);
            var chunk = new byte[64 * 1024];
            int n;
            while ((n = await stream.ReadAsync(chunk, ct)) > 0)
            {
                if (content.Length + n > limit) return new(null, TooLarge(limit));
                content.Write(chunk, 0, n);
            }
            return new(Encoding.UTF8.GetString(content.GetBuffer(), 0, (int)content.Length), null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new(null, $"cannot be read ({e.GetType().Name})");
        }
    }

    private bool Allowed(string realPath) =>
        Options.AllowedLeaseDirectories.Select(RealFiles.RealFolder).Any(folder => folder is not null && realPath.StartsWith(folder, StringComparison.Ordinal));

    private string Directories => string.Join(", ", Options.AllowedLeaseDirectories);

    private static string TooLarge(int limit) => $"is larger than the {limit / 1024 / 1024.0:0.#} MiB limit (Discovery:MaxLeaseFileBytes)";
}
