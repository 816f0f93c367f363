using System.Runtime.CompilerServices;

namespace Portal.Netboot.Tests;

/// <summary>
/// Compares whole rendered text with tests/Netboot.Tests/Golden/NAME. A missing file is written
/// and the test fails, so new goldens are always reviewed; PORTAL_UPDATE_GOLDEN=1 rewrites them.
/// </summary>
internal static class Golden
{
    public static void Matches(string name, string actual, [CallerFilePath] string caller = "")
    {
        var directory = FindGoldenDirectory(caller);
        var path = Path.Combine(directory, name);
        if (!File.Exists(path) || Environment.GetEnvironmentVariable("PORTAL_UPDATE_GOLDEN") == "1")
        {
            var existed = File.Exists(path);
            File.WriteAllText(path, actual);
            if (!existed) Assert.Fail($"Golden file {path} did not exist; it was written now. Review it and run the test again.");
            return;
        }
        var expected = File.ReadAllText(path).ReplaceLineEndings("\n");
        Assert.Equal(expected, actual);
    }

    private static string FindGoldenDirectory(string caller)
    {
        for (var dir = Path.GetDirectoryName(caller); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(Path.Combine(dir, "Netboot.Tests.csproj"))) return Path.Combine(dir, "Golden");
        }
        throw new InvalidOperationException($"Cannot find the Golden folder from {caller}.");
    }
}
