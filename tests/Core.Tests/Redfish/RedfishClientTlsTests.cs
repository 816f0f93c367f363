using Portal.Core.Redfish;
using Portal.Lab;

namespace Portal.Core.Tests.Redfish;

public sealed class TlsLab() : LabFixture(new LabOptions { FirstAddress = "127.0.43.1", BmcCount = 2, Seed = 43 });

public sealed class RedfishClientTlsTests(TlsLab fixture) : IClassFixture<TlsLab>
{
    private readonly LabFleet _lab = fixture.Lab;
    private readonly RedfishClientFactory _factory = LabClients.Factory();

    [Fact]
    public async Task PinOnFirstUseAcceptsTheSelfSignedCertificateAndReportsItsThumbprint()
    {
        var bmc = _lab.Bmcs[0];
        await using var client = _factory.Create(LabClients.EndpointOf(bmc), TlsPolicy.PinOnFirstUse());

        await client.ProbeAsync();

        Assert.Equal(LabClients.Sha256Of(bmc), client.CertificateSha256);
    }

    [Fact]
    public async Task PinnedThumbprintThatMatchesIsAccepted()
    {
        var bmc = _lab.Bmcs[0];
        await using var client = _factory.Create(LabClients.EndpointOf(bmc), TlsPolicy.PinOnFirstUse(LabClients.Sha256Of(bmc).ToLowerInvariant()));
        await client.LoginAsync(LabClients.CredentialOf(bmc));
        Assert.NotEmpty(await client.GetSystemsAsync());
    }

    [Fact]
    public async Task PinnedThumbprintThatDiffersIsRefusedAsTlsCertificateChanged()
    {
        var bmc = _lab.Bmcs[0];
        // The certificate of another BMC stands in for "the BMC was re-certified or impersonated".
        var other = LabClients.Sha256Of(_lab.Bmcs[1]);
        await using var client = _factory.Create(LabClients.EndpointOf(bmc), TlsPolicy.PinOnFirstUse(other));
        bmc.ResetStats();

        var e = await Assert.ThrowsAsync<RedfishException>(() => client.ProbeAsync());

        Assert.Equal(RedfishErrorKind.TlsCertificateChanged, e.Kind);
        Assert.Equal(LabClients.Sha256Of(bmc), e.PresentedSha256);
        Assert.Contains(other, e.Message);
        Assert.Equal(0, bmc.Stats.Requests); // nothing was sent, credentials included
    }

    [Fact]
    public async Task VerifyRefusesASelfSignedCertificate()
    {
        var bmc = _lab.Bmcs[1];
        await using var client = _factory.Create(LabClients.EndpointOf(bmc), TlsPolicy.Verify);
        var e = await Assert.ThrowsAsync<RedfishException>(() => client.ProbeAsync());
        Assert.Equal(RedfishErrorKind.TlsUntrusted, e.Kind);
    }
}
