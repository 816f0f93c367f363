using System.Runtime.InteropServices;

namespace Portal.Core.Files;

/// <summary>
/// What a path really names, asked of the operating system: its final location with every symbolic
/// link followed, and whether that is a regular file (not a directory, device, FIFO or socket).
/// Used wherever a configured or requested path must stay inside a folder (boot files, lease files).
/// </summary>
public static class RealFiles
{
    /// <summary>The path with every link followed and made absolute; null when missing, dangling, a loop or not allowed.</summary>
    public static string? RealPath(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
            throw new PlatformNotSupportedException("Files are served and read on Linux (and macOS for development).");
        if (path.Contains('\0')) return null;
        var resolved = realpath(path, IntPtr.Zero);
        if (resolved == IntPtr.Zero) return null;
        try { return Marshal.PtrToStringUTF8(resolved); }
        finally { free(resolved); }
    }

    /// <summary>A folder's real path with a trailing separator, for prefix checks; null when it does not exist.</summary>
    public static string? RealFolder(string folder) =>
        string.IsNullOrWhiteSpace(folder) || RealPath(Path.GetFullPath(folder)) is not { } real
            ? null
            : Path.TrimEndingDirectorySeparator(real) + Path.DirectorySeparatorChar;

    /// <summary>True only for a regular file: a device such as /dev/zero, a FIFO or a directory is not one.</summary>
    public static bool IsRegularFile(string path)
    {
        if (!OperatingSystem.IsLinux())
            return File.Exists(path) && !File.GetAttributes(path).HasFlag(FileAttributes.Directory);
        // statx's layout is the same on every Linux architecture (unlike struct stat): stx_mode is the u16 at byte 28.
        var buffer = new byte[256];
        if (statx(AtFdCwd, path, 0, StatxType, buffer) != 0) return false;
        var mode = BitConverter.ToUInt16(buffer, 28);
        return (mode & FileTypeMask) == RegularFile;
    }

    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const int FileTypeMask = 0xF000;
    private const int RegularFile = 0x8000;

    [DllImport("libc", SetLastError = true)]
    private static extern IntPtr realpath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

    [DllImport("libc")]
    private static extern void free(IntPtr pointer);

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, [Out] byte[] buffer);
}
