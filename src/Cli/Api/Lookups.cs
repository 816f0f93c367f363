using System.Text.Json;

namespace Portal.Cli.Api;

/// <summary>Names people type, turned into the ids the API takes.</summary>
internal static class Lookups
{
    /// <summary>An OS profile by id or by name (exact, then case-insensitive).</summary>
    public static async Task<JsonElement> ProfileAsync(PortalApi api, string nameOrId, CancellationToken ct)
    {
        var profiles = (await api.GetAsync("api/v1/os-profiles", ct)).Items().ToList();
        var found = profiles.FirstOrDefault(p => p.Str("id") == nameOrId || p.Str("name") == nameOrId);
        if (found.ValueKind == JsonValueKind.Undefined)
            found = profiles.FirstOrDefault(p => string.Equals(p.Str("name"), nameOrId, StringComparison.OrdinalIgnoreCase));
        return found.ValueKind != JsonValueKind.Undefined ? found
            : throw new CliException(ExitCodes.NotFound, $"There is no OS profile \"{nameOrId}\"; there are: {string.Join(", ", profiles.Select(p => $"\"{p.Str("name")}\""))}.");
    }
}
