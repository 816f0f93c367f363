namespace Portal.Machines;

/// <summary>How reservation lengths read in the pickers ("4 hours", "3 days").</summary>
internal static class Durations
{
    public static string Hours(int h) => h % 24 == 0 ? $"{h / 24} day{(h == 24 ? "" : "s")}" : $"{h} hour{(h == 1 ? "" : "s")}";

    /// <summary>"in 3 h", "in 2 d", "lapsed": how soon a reservation ends, next to its UTC time.</summary>
    public static string Until(DateTimeOffset until, DateTimeOffset now)
    {
        var left = until - now;
        if (left <= TimeSpan.Zero) return "lapsed";
        if (left < TimeSpan.FromHours(1)) return $"in {Math.Max(1, (int)left.TotalMinutes)} min";
        if (left < TimeSpan.FromDays(2)) return $"in {(int)left.TotalHours} h";
        return $"in {(int)left.TotalDays} d";
    }
}
