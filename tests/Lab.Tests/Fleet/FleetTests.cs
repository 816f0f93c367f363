using System.Net;
using Portal.Lab.Tests.Support;

namespace Portal.Lab.Tests.Fleet;

public sealed class FleetTests
{
    private const string Range = "127.0.26.250";

    [Fact]
    public async Task EachBmcListensOnItsOwnAddressSkippingZeroAndBroadcast()
    {
        await using var lab = await TestLab.StartAsync(Range);
        Assert.Equal(["127.0.26.250", "127.0.26.251", "127.0.26.252", "127.0.26.253", "127.0.26.254", "127.0.27.1", "127.0.27.2", "127.0.27.3"],
            lab.Fleet.Bmcs.Select(b => b.Address.ToString()));
        Assert.All(lab.Fleet.Bmcs, b => Assert.Equal(lab.Fleet.Port, b.Port));
        foreach (var bmc in lab.Fleet.Bmcs)
        {
            var root = await lab.Client(bmc, basicAuth: false).GetJsonAsync("/redfish/v1");
            Assert.Equal(bmc.ServiceUuid.ToString(), root["UUID"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task EveryBmcPresentsItsOwnSelfSignedCertificate()
    {
        await using var lab = await TestLab.StartAsync(Range, new LabOptions { BmcCount = 2 });
        var seen = new List<string>();
        foreach (var bmc in lab.Fleet.Bmcs)
        {
            using var handler = new SocketsHttpHandler
            {
                SslOptions = { RemoteCertificateValidationCallback = (_, cert, _, _) => { seen.Add(cert!.GetCertHashString()); return true; } },
            };
            using var client = new HttpClient(handler);
            (await client.GetAsync(new Uri(bmc.BaseUri, "redfish/v1"))).Dispose();
        }
        Assert.Equal(2, seen.Distinct().Count());
        Assert.Equal(lab.Fleet.Bmcs.Select(b => b.Certificate!.GetCertHashString()), seen);
    }

    [Fact]
    public async Task PlainHttpIsAnOption()
    {
        await using var lab = await TestLab.StartAsync(Range, new LabOptions { BmcCount = 1, Https = false });
        var bmc = lab.Fleet.Bmcs[0];
        Assert.Equal("http", bmc.BaseUri.Scheme);
        using var client = new HttpClient { BaseAddress = bmc.BaseUri };
        using var response = await client.GetAsync("/redfish/v1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task CredentialListHasOneVendorStyleRowPerBmc()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var lines = await File.ReadAllLinesAsync(lab.Fleet.CredentialCsvPath);
        Assert.Equal("bmc_mac,username,password,serial", lines[0]);
        Assert.Equal(lab.Fleet.Bmcs.Count, lines.Length - 1);
        foreach (var (bmc, line) in lab.Fleet.Bmcs.Zip(lines.Skip(1)))
        {
            var cells = line.Split(',');
            Assert.Equal(bmc.Mac, Normalize(cells[0]));
            Assert.Equal([bmc.Username, bmc.Password, bmc.SerialNumber], cells[1..]);
        }
        // Vendors spell MACs their own way; the importer must cope.
        Assert.Equal(lab.Bmc("dell").Mac.ToUpperInvariant(), lines[1].Split(',')[0]);
        Assert.Equal(lab.Bmc("hpe").Mac.Replace(':', '-'), lines[2].Split(',')[0]);
        Assert.Equal(lab.Bmc("supermicro").Mac.Replace(":", ""), lines[4].Split(',')[0]);
    }

    [Fact]
    public async Task LeaseFileMapsEveryBmcMacToItsAddressInDnsmasqFormat()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var lines = await File.ReadAllLinesAsync(lab.Fleet.LeaseFilePath);
        Assert.Equal(lab.Fleet.Bmcs.Count, lines.Length);
        foreach (var (bmc, line) in lab.Fleet.Bmcs.Zip(lines))
        {
            var f = line.Split(' ');
            Assert.Equal(5, f.Length);
            Assert.True(long.Parse(f[0]) > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            Assert.Equal(bmc.Mac, f[1]);
            Assert.Equal(bmc.Address.ToString(), f[2]);
            Assert.Equal(bmc.HostName, f[3]);
            Assert.Equal("01:" + bmc.Mac, f[4]);
        }
    }

    [Fact]
    public async Task SameSeedBuildsTheSameFleetAndAnotherSeedADifferentOne()
    {
        await using var a = await TestLab.StartAsync(Range, new LabOptions { BmcCount = 6, Seed = 42 });
        await using var b = await TestLab.StartAsync("127.0.28.1", new LabOptions { BmcCount = 6, Seed = 42 });
        await using var c = await TestLab.StartAsync("127.0.28.20", new LabOptions { BmcCount = 6, Seed = 43 });
        static string Describe(LabFleet f) => string.Join('\n', f.Bmcs.Select(x =>
            $"{x.Mac} {x.Password} {x.Profile.Name} " + string.Join(';', x.Systems.Select(s =>
                $"{s.Facts.Uuid} {s.Facts.SerialNumber} {s.Facts.Model} {s.Facts.CpuModel} {s.Facts.MemoryBytes} {string.Join(',', s.Facts.Nics.Select(n => n.Mac))} {s.Facts.Disks.Count} {s.Facts.Gpus.Count}"))));
        Assert.Equal(Describe(a.Fleet), Describe(b.Fleet));
        Assert.NotEqual(Describe(a.Fleet), Describe(c.Fleet));
    }

    [Fact]
    public async Task FindBmcAcceptsIndexAddressMacInAnySpellingAndHostName()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var bmc = lab.Fleet.Bmcs[3];
        Assert.Same(bmc, lab.Fleet.FindBmc("3"));
        Assert.Same(bmc, lab.Fleet.FindBmc(bmc.Address.ToString()));
        Assert.Same(bmc, lab.Fleet.FindBmc(bmc.Mac.Replace(":", "").ToUpperInvariant()));
        Assert.Same(bmc, lab.Fleet.FindBmc(bmc.HostName));
        Assert.Null(lab.Fleet.FindBmc("99"));
    }

    private static string Normalize(string mac)
    {
        var hex = new string(mac.Where(Uri.IsHexDigit).ToArray()).ToLowerInvariant();
        return string.Join(':', Enumerable.Range(0, 6).Select(i => hex.Substring(i * 2, 2)));
    }
}
