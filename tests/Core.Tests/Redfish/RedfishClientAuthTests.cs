using Portal.Core.Redfish;
using Portal.Core.Redfish.Models;
using Portal.Lab;

namespace Portal.Core.Tests.Redfish;

public sealed class AuthLab() : LabFixture(new LabOptions { FirstAddress = "127.0.41.1", BmcCount = 3, Seed = 41, LockoutThreshold = 50 });

public sealed class RedfishClientAuthTests(AuthLab fixture) : IClassFixture<AuthLab>
{
    private readonly LabFleet _lab = fixture.Lab;
    private readonly RedfishClientFactory _factory = LabClients.Factory();

    [Fact]
    public async Task ProbeReadsTheServiceRootWithoutCredentials()
    {
        var bmc = _lab.Bmcs[0];
        await using var client = _factory.Create(LabClients.EndpointOf(bmc), TlsPolicy.PinOnFirstUse());

        var root = await client.ProbeAsync();

        Assert.Equal(bmc.Profile.Vendor, root.Vendor);
        Assert.Equal(bmc.ServiceUuid.ToString(), root.Uuid);
        Assert.Equal(RedfishAuthMode.None, client.AuthMode);
    }

    [Fact]
    public async Task LoginCreatesASessionAndDisposeLogsItOut()
    {
        var bmc = _lab.Bmcs[0];
        await using var observer = await _factory.ConnectAsync(bmc);
        var sessionsBefore = await CountSessionsAsync(observer);

        var client = await _factory.ConnectAsync(bmc);
        Assert.Equal(RedfishAuthMode.Session, client.AuthMode);
        Assert.NotEmpty(await client.GetSystemsAsync());
        Assert.Equal(sessionsBefore + 1, await CountSessionsAsync(observer));

        await client.DisposeAsync();

        Assert.Equal(sessionsBefore, await CountSessionsAsync(observer));
    }

    [Fact]
    public async Task WrongPasswordIsAuthFailed()
    {
        var bmc = _lab.Bmcs[1];
        var e = await Assert.ThrowsAsync<RedfishException>(() =>
            _factory.ConnectAsync(LabClients.EndpointOf(bmc), TlsPolicy.PinOnFirstUse(), new BmcCredential(bmc.Username, "wrong-password")));

        Assert.Equal(RedfishErrorKind.AuthFailed, e.Kind);
        Assert.Contains(bmc.Address.ToString(), e.Message);
        Assert.DoesNotContain("wrong-password", e.ToString());
    }

    [Fact]
    public async Task BmcRejectingEveryCredentialIsAuthFailedWithoutRetries()
    {
        var bmc = _lab.Bmcs[2];
        bmc.Faults = new FaultSettings { FailAuth = true };
        try
        {
            bmc.ResetStats();
            var e = await Assert.ThrowsAsync<RedfishException>(() => _factory.ConnectAsync(bmc));
            Assert.Equal(RedfishErrorKind.AuthFailed, e.Kind);
            Assert.Equal(2, bmc.Stats.Requests); // service root + one login attempt: no retry of a refused login
        }
        finally
        {
            bmc.Faults = FaultSettings.None;
        }
    }

    [Fact]
    public async Task CredentialsNeverAppearInToString()
    {
        var credential = new BmcCredential("admin", "hunter2");
        Assert.DoesNotContain("hunter2", credential.ToString());
        await Task.CompletedTask;
    }

    private static async Task<int> CountSessionsAsync(RedfishClient client) =>
        (await client.GetAsync<ResourceCollection>("/redfish/v1/SessionService/Sessions")).Members!.Count;
}

public sealed class NoSessionLab() : LabFixture(new LabOptions { FirstAddress = "127.0.42.1", BmcCount = 1, Seed = 42, MaxSessions = 0 });

/// <summary>A BMC whose session table is full (MaxSessions = 0): login must fall back to Basic.</summary>
public sealed class RedfishClientBasicFallbackTests(NoSessionLab fixture) : IClassFixture<NoSessionLab>
{
    private readonly LabFleet _lab = fixture.Lab;

    [Fact]
    public async Task LoginFallsBackToBasicWhenNoSessionCanBeCreated()
    {
        var bmc = _lab.Bmcs[0];
        await using var client = await LabClients.Factory().ConnectAsync(bmc);

        Assert.Equal(RedfishAuthMode.Basic, client.AuthMode);
        Assert.Equal(bmc.Systems.Count, (await client.GetSystemsAsync()).Count);
    }

    [Fact]
    public async Task BasicFallbackWithWrongPasswordIsAuthFailed()
    {
        var bmc = _lab.Bmcs[0];
        var e = await Assert.ThrowsAsync<RedfishException>(() => LabClients.Factory().ConnectAsync(
            LabClients.EndpointOf(bmc), TlsPolicy.PinOnFirstUse(), new BmcCredential(bmc.Username, "nope")));
        Assert.Equal(RedfishErrorKind.AuthFailed, e.Kind);
        bmc.Unlock();
    }
}

public sealed class ShortSessionLab() : LabFixture(new LabOptions { FirstAddress = "127.0.48.1", BmcCount = 1, Seed = 48, SessionTimeout = TimeSpan.FromMilliseconds(500) });

public sealed class RedfishClientSessionExpiryTests(ShortSessionLab fixture) : IClassFixture<ShortSessionLab>
{
    [Fact]
    public async Task ExpiredSessionIsRenewedOnceTransparently()
    {
        var bmc = fixture.Lab.Bmcs[0];
        await using var client = await LabClients.Factory().ConnectAsync(bmc);
        await Task.Delay(TimeSpan.FromSeconds(1.2));

        Assert.Equal(bmc.Systems.Count, (await client.GetSystemsAsync()).Count);
        Assert.Equal(RedfishAuthMode.Session, client.AuthMode);
    }
}
