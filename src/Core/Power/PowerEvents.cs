using Portal.Core.Redfish.Models;

namespace Portal.Core.Power;

/// <summary>
/// Which Redfish events say a system's power or boot state changed. The standard ResourceEvent
/// registry names them ResourcePoweredOn/Off and ResourcePoweringOn/Off; vendors' own
/// registries use keys like ServerPoweredOn, SystemPowerAction or BootProgress, so the key is
/// matched by what it names rather than by a fixed list.
/// </summary>
public static class PowerEvents
{
    private static readonly string[] Words = ["Power", "Boot", "Reset", "Restart"];

    public static bool IsPowerOrBoot(EventRecord record)
    {
        if (record.MessageKey is { Length: > 0 } key)
            return Words.Any(w => key.Contains(w, StringComparison.OrdinalIgnoreCase))
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

    private static string? SystemPath(EventRecord record) =>
        record.OriginOfCondition?.ODataId is { } id && id.Contains("/Systems/", StringComparison.Ordinal)
            ? id.Split('#', 2)[0].TrimEnd('/')
            : null;
}
