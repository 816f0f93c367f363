using System.Diagnostics;

namespace Portal.TestSupport;

/// <summary>
/// Builds the lab installer once per test run through scripts/build-lab-installer.sh, the same
/// script people use; it caches its downloads, so after the first run this takes milliseconds.
/// </summary>
public static class LabInstallerBuild
{
    private static readonly Lazy<Task<string>> Build = new(BuildAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The folder holding vmlinuz and initrd.img.</summary>
    public static Task<string> EnsureAsync() => Build.Value;

    private static async Task<string> BuildAsync()
    {
        var root = RepoRoot.Find();
        var output = Path.Combine(root, ".data", "lab-installer");
        var start = new ProcessStartInfo("bash", [Path.Combine(root, "scripts", "build-lab-installer.sh"), output])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"build-lab-installer.sh failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
        return output;
    }
}
