using System.Globalization;

namespace Portal.Machines;

/// <summary>How sizes and speeds read in the catalogue: memory in binary units, disks in decimal (as vendors sell them).</summary>
public static class Units
{
    public static string Memory(long bytes) => bytes >= 1L << 40
        ? (bytes / (double)(1L << 40)).ToString("0.#", CultureInfo.InvariantCulture) + " TiB"
        : (bytes >> 30).ToString(CultureInfo.InvariantCulture) + " GiB";

    public static string Storage(long bytes) => bytes >= 1_000_000_000_000
        ? (bytes / 1e12).ToString("0.##", CultureInfo.InvariantCulture) + " TB"
        : (bytes / 1e9).ToString("0", CultureInfo.InvariantCulture) + " GB";

    public static string Speed(long mbps) => mbps >= 1000
        ? (mbps / 1000.0).ToString("0.#", CultureInfo.InvariantCulture) + " Gb/s"
        : mbps.ToString(CultureInfo.InvariantCulture) + " Mb/s";
}
