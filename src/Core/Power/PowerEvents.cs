using Portal.Core.Redfish.Models;

namespace Portal.Core.Power;

/// <summary>
/// Which Redfish events say a system's power or boot state changed. The standard ResourceEvent
/// registry names them ResourcePoweredOn/Off and ResourcePoweringOn/Off; vendors' own
/// registries use keys like ServerPoweredOn (iLO), SystemPowerAction or BootProgress, so a named
/// key is matched by what it names rather than by a fixed list. Registries that number their
/// messages instead (iDRAC's SYS1000) name nothing, so their power keys are listed.
/// </summary>
public static class PowerEvents
{
    private static readonly string[] Words = ["Power", "Boot", "Reset", "Restart"];

    // Registry (first part of the MessageId) → its numbered keys that mean a system's power changed.
    // Only keys seen in public material; a missed one still shows at the evented refresh.
    private static readonly Dictionary<string, string[]> NumberedKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        // Dell iDRAC, MessageId "IDRAC.2.9.SYS1000" (or "IDRAC.SYS1000"): SYS1000 "System is turning on.",
        // SYS1001 "System is turning off.", SYS1003 "System CPU Resetting." (a restart).
        ["IDRAC"] = ["SYS1000", "SYS1001", "SYS1003"],
    };

    public static bool IsPowerOrBoot(EventRecord record)
    {
        if (record.MessageKey is { Length: > 0 } key)
            return Words.Any(w => key.Contains(w, StringComparison.OrdinalIgnoreCase))
                || IsNumberedPowerKey(record.MessageId!, key)
                || (key == "ResourceChanged" && SystemPath(record) is not null);
        // Services from before message registries: a status change of a system may be a power change.
        return record.EventType is "StatusChange" or "ResourceUpdated" && SystemPath(record) is not null;
    }

    /// <summary>
    /// The systems to read again for an Event: their paths, or a single null meaning "every system
    /// of this BMC" when a relevant record names no system (a chassis or manager as origin).
    /// </summary>
    public static IReadOnlyList<string?> SystemsToRefresh(RedfishEvent evt)
    {
        var relevant = (evt.Events ?? []).Where(IsPowerOrBoot).ToList();
        if (relevant.Count == 0) return [];
        var paths = relevant.Select(SystemPath).ToList();
        return paths.Any(p => p is null) ? [null] : paths.Distinct().ToList();
    }

    private static bool IsNumberedPowerKey(string messageId, string key) =>
        messageId.IndexOf('.') is > 0 and var dot
        && NumberedKeys.TryGetValue(messageId[..dot], out var keys)
        && keys.Contains(key, StringComparer.OrdinalIgnoreCase);

    private static string? SystemPath(EventRecord record) =>
        record.OriginOfCondition?.ODataId is { } id && id.Contains("/Systems/", StringComparison.Ordinal)
            ? id.Split('#', 2)[0].TrimEnd('/')
            : null;
}
