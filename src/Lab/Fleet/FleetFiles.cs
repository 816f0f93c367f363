using System.Text;

namespace Portal.Lab.Fleet;

/// <summary>
/// The two files a real delivery brings: the vendor's credential list and what the DHCP server
/// handed out. Discovery consumes them exactly as it would the real ones.
/// </summary>
internal static class FleetFiles
{
    public const string CredentialCsvName = "bmc-credentials.csv";
    public const string LeaseFileName = "dnsmasq.leases";

    /// <summary>
    /// Header "bmc_mac,username,password,serial". MAC spelling follows the vendor when asked:
    /// Dell AA:BB:CC:DD:EE:FF, HPE aa-bb-cc-dd-ee-ff, Supermicro aabbccddeeff, others aa:bb:cc:dd:ee:ff.
    /// </summary>
    public static string CredentialCsv(IEnumerable<LabBmc> bmcs, bool vendorSpelling)
    {
        var sb = new StringBuilder("bmc_mac,username,password,serial\n");
        foreach (var b in bmcs)
        {
            var mac = vendorSpelling ? SpellMac(b.Mac, b.Profile.CsvMacStyle) : b.Mac;
            sb.Append(mac).Append(',').Append(b.Username).Append(',').Append(b.Password).Append(',').Append(b.SerialNumber).Append('\n');
        }
        return sb.ToString();
    }

    public static string SpellMac(string mac, string style) => style switch
    {
        "COLON" => mac.ToUpperInvariant(),
        "dash" => mac.Replace(':', '-'),
        "bare" => mac.Replace(":", ""),
        _ => mac,
    };

    /// <summary>dnsmasq lease lines: "&lt;expiry-epoch&gt; &lt;mac&gt; &lt;ip&gt; &lt;hostname&gt; &lt;client-id&gt;".</summary>
    public static string Leases(IEnumerable<LabBmc> bmcs, DateTimeOffset now)
    {
        var expiry = now.AddHours(24).ToUnixTimeSeconds();
        var sb = new StringBuilder();
        foreach (var b in bmcs)
        {
            sb.Append(expiry).Append(' ').Append(b.Mac).Append(' ').Append(b.Address).Append(' ')
              .Append(b.HostName).Append(" 01:").Append(b.Mac).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Write to a temp file and rename, so a reader never sees half a file.</summary>
    public static void WriteAtomically(string path, string content)
    {
        var temp = path + ".tmp";
        File.WriteAllText(temp, content, new UTF8Encoding(false));
        File.Move(temp, path, overwrite: true);
    }
}
