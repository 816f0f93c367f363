using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Portal.Lab.Tests.Fleet;

/// <summary>
/// A lab with an output directory keeps its BMCs' certificates across restarts (as real BMCs do),
/// so a Portal that pinned them still trusts them; re-certifying one is a real change.
/// </summary>
public sealed class CertificatePersistenceTests : IDisposable
{
    private const string Range = "127.0.32.1";
    private readonly string output = Directory.CreateTempSubdirectory("portal-lab-certs-").FullName;

    public void Dispose() => Directory.Delete(output, recursive: true);

    private LabOptions Options(int port = 0) => new() { BmcCount = 3, FirstAddress = Range, OutputDirectory = output, Port = port };

    [Fact]
    public async Task RestartedFleetPresentsTheSameCertificates()
    {
        List<string> first;
        int port;
        await using (var fleet = await LabFleet.StartAsync(Options()))
        {
            first = await PresentedAsync(fleet);
            port = fleet.Port;
        }

        await using var again = await LabFleet.StartAsync(Options(port));

        Assert.Equal(first, await PresentedAsync(again));
        Assert.Equal(3, first.Distinct().Count());
    }

    [Fact]
    public async Task CertificatesAreStoredOwnerOnlyOneFilePerBmc()
    {
        await using var fleet = await LabFleet.StartAsync(Options());

        var dir = Path.Combine(output, "certs");
        Assert.Equal(dir, fleet.CertificateDirectory);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(dir));
        var files = Directory.GetFiles(dir).Order().ToList();
        Assert.Equal(fleet.Bmcs.Select(b => Path.Combine(dir, $"{b.Address}.pem")).Order(), files);
        Assert.All(files, f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
        Assert.All(files, f => Assert.Contains("-----BEGIN PRIVATE KEY-----", File.ReadAllText(f)));
    }

    [Fact]
    public async Task RecertifyThroughTheControlApiChangesTheCertificateForGood()
    {
        string recertified;
        int port;
        await using (var fleet = await LabFleet.StartAsync(Options()))
        {
            var before = await PresentedAsync(fleet);
            using var control = new HttpClient { BaseAddress = fleet.ControlUri };

            using var response = await control.PostAsync("lab/bmcs/1/recertify", null);
            response.EnsureSuccessStatusCode();
            recertified = (await response.Content.ReadFromJsonAsync<JsonObject>())!["certificateSha256"]!.GetValue<string>();

            var after = await PresentedAsync(fleet);
            Assert.NotEqual(before[1], recertified);
            Assert.Equal(recertified, after[1]);
            Assert.Equal(before[0], after[0]);
            Assert.Equal(before[2], after[2]);
            port = fleet.Port;
        }

        await using var again = await LabFleet.StartAsync(Options(port));
        Assert.Equal(recertified, (await PresentedAsync(again))[1]);
    }

    [Fact]
    public async Task StoredCertificateForAnotherAddressIsReplaced()
    {
        await using (await LabFleet.StartAsync(Options())) { }
        var certs = Path.Combine(output, "certs");
        // BMC 0's file now holds BMC 1's certificate: it no longer fits, so BMC 0 gets a new one.
        File.Copy(Path.Combine(certs, "127.0.32.2.pem"), Path.Combine(certs, "127.0.32.1.pem"), overwrite: true);

        await using var fleet = await LabFleet.StartAsync(Options());

        var presented = await PresentedAsync(fleet);
        Assert.NotEqual(presented[1], presented[0]);
        Assert.Equal(fleet.Bmcs[0].CertificateSha256, presented[0]);
    }

    [Fact]
    public async Task WithoutAnOutputDirectoryNothingIsWritten()
    {
        await using var fleet = await LabFleet.StartAsync(new LabOptions { BmcCount = 2, FirstAddress = Range });

        Assert.Null(fleet.CertificateDirectory);
        Assert.False(Directory.Exists(Path.Combine(fleet.OutputDirectory, "certs")));
        Assert.Empty(Directory.GetFiles(output, "*", SearchOption.AllDirectories));
    }

    /// <summary>SHA-256 of the certificate each BMC presents in a real TLS handshake, in BMC order.</summary>
    private static async Task<List<string>> PresentedAsync(LabFleet fleet)
    {
        var result = new List<string>();
        foreach (var bmc in fleet.Bmcs)
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(bmc.Address, bmc.Port);
            await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
            await tls.AuthenticateAsClientAsync(bmc.Address.ToString());
            result.Add(Convert.ToHexString(SHA256.HashData(tls.RemoteCertificate!.GetRawCertData())));
        }
        return result;
    }
}
