using System.Net;
using Portal.Lab.Tests.Support;

namespace Portal.Lab.Tests.Redfish;

public sealed class SessionTests
{
    private const string Range = "127.0.21.1";

    private static async Task<(string Token, string Location)> LoginAsync(HttpClient client, LabBmc bmc)
    {
        using var response = await client.PostJsonAsync("/redfish/v1/SessionService/Sessions", new { UserName = bmc.Username, Password = bmc.Password });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (response.Headers.GetValues("X-Auth-Token").Single(), response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task LoginReturnsTokenAndLocationThatAuthorizeRequests()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var bmc = lab.Fleet.Bmcs[0];
        var client = lab.Client(bmc, basicAuth: false);
        var (token, location) = await LoginAsync(client, bmc);
        Assert.StartsWith("/redfish/v1/SessionService/Sessions/", location);

        client.DefaultRequestHeaders.Add("X-Auth-Token", token);
        var session = await client.GetJsonAsync(location);
        Assert.Equal(bmc.Username, session["UserName"]!.GetValue<string>());
        Assert.Null(session["Password"]);
        var sessions = await client.GetJsonAsync("/redfish/v1/SessionService/Sessions");
        Assert.Equal(1, sessions["Members@odata.count"]!.GetValue<int>());
    }

    [Fact]
    public async Task DeletingTheSessionLogsOut()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var bmc = lab.Fleet.Bmcs[1];
        var client = lab.Client(bmc, basicAuth: false);
        var (token, location) = await LoginAsync(client, bmc);
        client.DefaultRequestHeaders.Add("X-Auth-Token", token);

        using var delete = await client.DeleteAsync(location);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var after = await client.GetAsync("/redfish/v1/Systems");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task IdleSessionExpires()
    {
        await using var lab = await TestLab.StartAsync(Range, new LabOptions { SessionTimeout = TimeSpan.FromSeconds(5) });
        var bmc = lab.Fleet.Bmcs[0];
        var client = lab.Client(bmc, basicAuth: false);
        var (token, _) = await LoginAsync(client, bmc);
        client.DefaultRequestHeaders.Add("X-Auth-Token", token);

        // Use keeps it alive (three uses span more than the timeout; the margin per use is wide
        // so that a stalled machine does not expire the session between two uses)...
        for (var i = 0; i < 3; i++)
        {
            await Task.Delay(2000);
            using var alive = await client.GetAsync("/redfish/v1/Systems");
            Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        }
        // ...idleness ends it.
        await Task.Delay(6000);
        using var expired = await client.GetAsync("/redfish/v1/Systems");
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
    }

    [Fact]
    public async Task WrongPasswordReturns401()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var bmc = lab.Fleet.Bmcs[0];
        var client = lab.Client(bmc, basicAuth: false);
        client.DefaultRequestHeaders.Authorization = TestLab.BasicAuth(bmc.Username, "wrong");
        using var basic = await client.GetAsync("/redfish/v1/Systems");
        Assert.Equal(HttpStatusCode.Unauthorized, basic.StatusCode);
        Assert.NotEmpty(basic.Headers.WwwAuthenticate);

        using var login = await client.PostJsonAsync("/redfish/v1/SessionService/Sessions", new { UserName = bmc.Username, Password = "wrong" });
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);
        using var bogusToken = new HttpRequestMessage(HttpMethod.Get, "/redfish/v1/Systems");
        bogusToken.Headers.Add("X-Auth-Token", "not-a-token");
        bogusToken.Headers.Authorization = null;
        using var tokenResponse = await lab.Client(bmc, basicAuth: false).SendAsync(bogusToken);
        Assert.Equal(HttpStatusCode.Unauthorized, tokenResponse.StatusCode);
    }

    [Fact]
    public async Task RepeatedBadLoginsLockTheAccountForAWhile()
    {
        await using var lab = await TestLab.StartAsync(Range, new LabOptions { LockoutThreshold = 3, LockoutDuration = TimeSpan.FromSeconds(6) });
        var bmc = lab.Fleet.Bmcs[0];
        var bad = lab.Client(bmc, basicAuth: false);
        bad.DefaultRequestHeaders.Authorization = TestLab.BasicAuth(bmc.Username, "guess");
        for (var i = 0; i < 3; i++) (await bad.GetAsync("/redfish/v1/Systems")).Dispose();

        var good = lab.Client(bmc);
        using var locked = await good.GetAsync("/redfish/v1/Systems");
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.Equal("Base.1.16.AccessDenied", await locked.RedfishMessageIdAsync());
        Assert.True(bmc.IsLockedOut);

        await Task.Delay(6500);
        using var unlocked = await good.GetAsync("/redfish/v1/Systems");
        Assert.Equal(HttpStatusCode.OK, unlocked.StatusCode);
    }

    [Fact]
    public async Task LoginWithoutPasswordReturns400()
    {
        await using var lab = await TestLab.StartAsync(Range);
        var bmc = lab.Fleet.Bmcs[0];
        using var response = await lab.Client(bmc, basicAuth: false).PostJsonAsync("/redfish/v1/SessionService/Sessions", new { UserName = bmc.Username });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Base.1.16.CreateFailedMissingReqProperties", await response.RedfishMessageIdAsync());
    }

    [Fact]
    public async Task SessionTableHasALimit()
    {
        await using var lab = await TestLab.StartAsync(Range, new LabOptions { MaxSessions = 2 });
        var bmc = lab.Fleet.Bmcs[0];
        var client = lab.Client(bmc, basicAuth: false);
        await LoginAsync(client, bmc);
        await LoginAsync(client, bmc);
        using var third = await client.PostJsonAsync("/redfish/v1/SessionService/Sessions", new { UserName = bmc.Username, Password = bmc.Password });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, third.StatusCode);
        Assert.Equal("Base.1.16.SessionLimitExceeded", await third.RedfishMessageIdAsync());
    }
}
