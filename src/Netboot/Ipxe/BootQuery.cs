using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Portal.Netboot.Inputs;

namespace Portal.Netboot.Ipxe;

/// <summary>
/// Who is asking for a per-machine script, as the bootstrap reported it. <see cref="Mac"/> is
/// normalized (see <see cref="MacAddress"/>); an all-zero or all-FF UUID, which firmware reports
/// when none is set, becomes null. At least one of MAC and UUID is present.
/// </summary>
public sealed record BootQuery(string? Mac, Guid? Uuid, string? Serial, string? BuildArch, string? Platform)
{
    /// <summary>What the running firmware is (from <c>platform</c>), or null when it did not say.</summary>
    public BootMode? FirmwareBootMode => Platform switch
    {
        "efi" => BootMode.Uefi,
        "pcbios" => BootMode.Bios,
        _ => null,
    };

    public const int MaxQueryLength = 512;
    public const int MaxSerialLength = 64;

    private static readonly string[] KnownKeys = ["mac", "uuid", "serial", "buildarch", "platform"];
    private static readonly string[] BuildArchs = ["i386", "x86_64", "arm32", "arm64", "riscv32", "riscv64", "loong64"];
    private static readonly string[] Platforms = ["pcbios", "efi"];

    /// <summary>Parses a raw query string (with or without the leading '?').</summary>
    public static BootQueryResult Parse(string? queryString)
    {
        if (queryString is { Length: > MaxQueryLength })
            return BootQueryResult.Invalid($"query string is longer than {MaxQueryLength} characters");
        return Parse(QueryHelpers.ParseQuery(queryString));
    }

    /// <summary>Parses the query the per-machine endpoint received; call with <c>Request.Query</c>.</summary>
    public static BootQueryResult Parse(IQueryCollection query) =>
        Parse(query.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal));

    private static BootQueryResult Parse(IReadOnlyDictionary<string, Microsoft.Extensions.Primitives.StringValues> query)
    {
        if (query.Sum(p => p.Key.Length + p.Value.Sum(v => v?.Length ?? 0)) > MaxQueryLength)
            return BootQueryResult.Invalid($"query is longer than {MaxQueryLength} characters");
        foreach (var (key, values) in query)
        {
            if (!KnownKeys.Contains(key, StringComparer.Ordinal))
                return BootQueryResult.Invalid($"unknown parameter '{Printable(key)}' (expected {string.Join(", ", KnownKeys)})");
            if (values.Count > 1)
                return BootQueryResult.Invalid($"parameter '{key}' is given {values.Count} times");
        }

        string? Value(string key) => query.TryGetValue(key, out var v) && !string.IsNullOrEmpty(v[0]) ? v[0] : null;

        string? mac = null;
        if (Value("mac") is { } rawMac)
        {
            if (!Portal.Core.Bmcs.MacAddress.TryParse(rawMac, out var parsedMac, out _))
                return BootQueryResult.Invalid($"mac '{Printable(rawMac)}' is not a MAC address like 52:54:00:12:34:56 or 52-54-00-12-34-56");
            mac = parsedMac.ToString();
        }

        Guid? uuid = null;
        if (Value("uuid") is { } rawUuid)
        {
            if (rawUuid.Length != 36 || !Guid.TryParseExact(rawUuid, "D", out var parsed))
                return BootQueryResult.Invalid($"uuid '{Printable(rawUuid)}' is not a UUID like 11111111-2222-3333-4444-555555555555");
            // Unset SMBIOS UUIDs read as all zeros or all ones; they would match every such machine.
            if (parsed != Guid.Empty && parsed != Guid.AllBitsSet) uuid = parsed;
        }

        var serial = Value("serial")?.Trim();
        if (serial is { Length: > MaxSerialLength })
            return BootQueryResult.Invalid($"serial is longer than {MaxSerialLength} characters");
        if (serial is not null && serial.Any(c => c < ' ' || c > '~'))
            return BootQueryResult.Invalid("serial contains control or non-ASCII characters");
        if (serial is { Length: 0 }) serial = null;

        var buildArch = Value("buildarch");
        if (buildArch is not null && !BuildArchs.Contains(buildArch, StringComparer.Ordinal))
            return BootQueryResult.Invalid($"buildarch '{Printable(buildArch)}' is not one of {string.Join(", ", BuildArchs)}");

        var platform = Value("platform");
        if (platform is not null && !Platforms.Contains(platform, StringComparer.Ordinal))
            return BootQueryResult.Invalid($"platform '{Printable(platform)}' is not one of {string.Join(", ", Platforms)}");

        if (mac is null && uuid is null)
            return BootQueryResult.Invalid("neither a mac nor a uuid identifies the machine");

        return new BootQueryResult(new BootQuery(mac, uuid, serial, buildArch, platform), null);
    }

    // Errors quote the offending value; keep it short and printable since it ends up in logs.
    private static string Printable(string value)
    {
        var cleaned = new string(value.Take(40).Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());
        return value.Length > 40 ? cleaned + "..." : cleaned;
    }
}

/// <summary>Either a valid <see cref="Query"/> or an <see cref="Error"/> that says what is wrong (for a 400 response).</summary>
public sealed record BootQueryResult(BootQuery? Query, string? Error)
{
    public bool IsValid => Query is not null;

    internal static BootQueryResult Invalid(string error) => new(null, error);
}
