namespace Portal.Core.Users;

/// <summary>
/// {data}/initial-admin.txt: the generated first admin's email and password, for the person who
/// started the Portal and missed the console. Readable by the Portal's user only from the moment it
/// exists, and deleted once that admin has chosen their own password.
/// </summary>
public static class InitialAdminFile
{
    public const string FileName = "initial-admin.txt";

    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, FileName);

    public static async Task<string> WriteAsync(string dataDirectory, string email, string password)
    {
        Directory.CreateDirectory(dataDirectory);
        var file = PathIn(dataDirectory);
        // A leftover from an earlier database may carry other permissions: start from a new file, so
        // the mode below is the one it is created with (before a byte of the password is written).
        File.Delete(file);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using var stream = new FileStream(file, options);
        await using var writer = new StreamWriter(stream);
        await writer.WriteAsync($"email: {email}\npassword: {password}\n");
        return file;
    }

    /// <summary>Deletes the file if it names <paramref name="email"/> (that admin chose a password); true if it did.</summary>
    public static bool DeleteIfFor(string dataDirectory, string? email)
    {
        var file = PathIn(dataDirectory);
        if (email is null || !File.Exists(file)) return false;
        var named = File.ReadLines(file).FirstOrDefault(l => l.StartsWith("email: ", StringComparison.Ordinal))?["email: ".Length..].Trim();
        if (!string.Equals(named, email, StringComparison.OrdinalIgnoreCase)) return false;
        File.Delete(file);
        return true;
    }
}
