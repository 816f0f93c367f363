using Portal.Core.Bmcs;
using Portal.Core.Credentials;
using Portal.Core.Discovery.Leases;
using Portal.Core.Tests.Redfish;
using Portal.Lab;

namespace Portal.Core.Tests.Discovery;

public sealed class LabFilesLab() : LabFixture(new LabOptions { FirstAddress = "127.0.49.1", BmcCount = 8, Seed = 49 });

/// <summary>The lab writes a vendor credential CSV and a dnsmasq lease file; both must read cleanly.</summary>
public sealed class LabFilesTests(LabFilesLab fixture) : IClassFixture<LabFilesLab>
{
    private readonly LabFleet _lab = fixture.Lab;

    [Fact]
    public async Task LabCredentialCsvIsImportableAndMatchesEveryBmc()
    {
        await using var file = File.OpenRead(_lab.CredentialCsvPath);
        var preview = await new CredentialListParser().ParseAsync(file, Path.GetFileName(_lab.CredentialCsvPath));

        Assert.True(preview.IsImportable, string.Join("; ", preview.FileErrors.Concat(preview.Rows.SelectMany(r => r.Errors))));
        var byMac = preview.Rows.ToDictionary(r => r.Mac!.Value);
        Assert.All(_lab.Bmcs, bmc =>
        {
            var row = byMac[MacAddress.Parse(bmc.Mac)];
            Assert.Equal((bmc.Username, bmc.Password, bmc.SerialNumber), (row.Username, row.Password, row.Serial));
        });
    }

    [Fact]
    public async Task LabLeaseFileMapsEveryBmcMacToItsAddress()
    {
        var leases = DnsmasqLeaseParser.Parse(await File.ReadAllTextAsync(_lab.LeaseFilePath));

        Assert.Empty(leases.Issues);
        var latest = leases.LatestByMac();
        Assert.All(_lab.Bmcs, bmc => Assert.Equal(bmc.Address, latest[MacAddress.Parse(bmc.Mac)].Address));
    }
}
