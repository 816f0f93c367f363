namespace Portal.Provisioning;

/// <summary>Short human durations for timelines: "850 ms", "12.3 s", "4 min 05 s", "2 h 10 min".</summary>
internal static class Durations
{
    public static string Format(TimeSpan t) =>
        t < TimeSpan.FromSeconds(1) ? $"{t.TotalMilliseconds:0} ms"
        : t < TimeSpan.FromMinutes(1) ? $"{t.TotalSeconds:0.0} s"
        : t < TimeSpan.FromHours(1) ? $"{(int)t.TotalMinutes} min {t.Seconds:00} s"
        : $"{(int)t.TotalHours} h {t.Minutes:00} min";
}
