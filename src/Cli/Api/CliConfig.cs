using System.Text.Json;

namespace Portal.Cli.Api;

/// <summary>
/// Where the CLI finds the Portal and its token: PORTAL_URL / PORTAL_TOKEN when set, else the file
/// `portal login` wrote (config.json in the user's config folder, mode 600 — it holds a secret).
/// </summary>
internal sealed record CliConfig(string? Url, string? Token)
{
    public const string FileName = "config.json";

    public static string PathIn(CliEnvironment env) => System.IO.Path.Combine(env.ConfigDirectory, FileName);

    public static CliConfig Load(CliEnvironment env)
    {
        var saved = Read(env);
        return new(Blank(env.Variable("PORTAL_URL")) ?? saved?.Url, Blank(env.Variable("PORTAL_TOKEN")) ?? saved?.Token);
    }

    public static CliConfig? Read(CliEnvironment env)
    {
        var path = PathIn(env);
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<CliConfig>(File.ReadAllText(path), Json.Options); }
        catch (JsonException e) { throw CliException.Usage($"{path} is not a Portal CLI config ({e.Message}); run `portal login` again."); }
    }

    public void Save(CliEnvironment env)
    {
        Directory.CreateDirectory(env.ConfigDirectory);
        var path = PathIn(env);
        // Written to a new file created with mode 600, then moved over the old one: the token is never readable by others, not even briefly.
        var temporary = path + ".tmp";
        File.Delete(temporary);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, options))
            JsonSerializer.Serialize(stream, this, Json.Options);
        File.Move(temporary, path, overwrite: true);
    }

    public static bool Delete(CliEnvironment env)
    {
        var path = PathIn(env);
        if (!File.Exists(path)) return false;
        File.Delete(path);
        return true;
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}
