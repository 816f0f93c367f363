using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Portal.Lab.Tests.Support;

namespace Portal.Lab.Tests.Redfish;

public sealed class EventStreamTests
{
    private const string Range = "127.0.36.1";
    private static readonly LabOptions TwoProfiles = new() { BmcCount = 2, Profiles = ["dell", "hpe"] };

    private static async Task<HttpClient> SessionClientAsync(TestLab lab, LabBmc bmc)
    {
        var client = lab.Client(bmc, basicAuth: false);
        using var login = await client.PostJsonAsync("/redfish/v1/SessionService/Sessions", new { UserName = bmc.Username, Password = bmc.Password });
        client.DefaultRequestHeaders.Add("X-Auth-Token", login.Headers.GetValues("X-Auth-Token").Single());
        return client;
    }

    [Fact]
    public async Task OnlyProfilesWithServerSentEventsOfferTheStream()
    {
        await using var lab = await TestLab.StartAsync(Range, TwoProfiles);

        var dell = await lab.Client(lab.Bmc("dell")).GetJsonAsync("/redfish/v1/EventService");
        var hpe = await lab.Client(lab.Bmc("hpe")).GetJsonAsync("/redfish/v1/EventService");

        Assert.Equal("/redfish/v1/EventService/SSE", dell["ServerSentEventUri"]!.GetValue<string>());
        Assert.Null(hpe["ServerSentEventUri"]);
        using var missing = await lab.Client(lab.Bmc("hpe")).GetAsync("/redfish/v1/EventService/SSE");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Theory]
    [InlineData("dell", "IDRAC.2.9.SYS1000")] // iDRAC's numbered message
    [InlineData("lenovo", "ResourceEvent.1.3.0.ResourcePoweredOn")]
    public async Task APowerChangeThroughTheControlApiIsSentOnTheStreamAndCountedSessionsShowInStats(string profile, string messageId)
    {
        await using var lab = await TestLab.StartAsync(Range, new LabOptions { BmcCount = 1, Profiles = [profile] });
        var bmc = lab.Bmc(profile);
        var client = await SessionClientAsync(lab, bmc);
        Assert.Equal(1, bmc.Stats.SessionsCreated);

        using var stream = await client.GetAsync("/redfish/v1/EventService/SSE", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
        Assert.Equal(1, bmc.Stats.EventStreams);

        using (var power = await lab.ControlClient().PostAsJsonAsync($"lab/bmcs/{bmc.Index}/systems/{bmc.Systems[0].Id}/power", new { resetType = "On" }))
            Assert.True(power.IsSuccessStatusCode);

        string? data = null;
        while (data is null && await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
        }
        var record = JsonNode.Parse(data!)!["Events"]![0]!;
        Assert.Equal(messageId, record["MessageId"]!.GetValue<string>());
        Assert.Equal(bmc.Systems[0].RedfishPath, record["OriginOfCondition"]!["@odata.id"]!.GetValue<string>());
        Assert.Equal(LabPowerState.On, bmc.Systems[0].PowerState);
    }

    [Fact]
    public async Task TheStreamEndsWhenItsSessionEndsOrTheLabDropsIt()
    {
        await using var lab = await TestLab.StartAsync(Range, TwoProfiles);
        var bmc = lab.Bmc("dell");
        var client = await SessionClientAsync(lab, bmc);

        using (var stream = await client.GetAsync("/redfish/v1/EventService/SSE", HttpCompletionOption.ResponseHeadersRead))
        {
            using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
            using (await lab.ControlClient().PostAsync($"lab/bmcs/{bmc.Index}/events/drop", null)) { }
            Assert.Null(await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        }

        using (var stream = await client.GetAsync("/redfish/v1/EventService/SSE", HttpCompletionOption.ResponseHeadersRead))
        {
            using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync());
            using (await lab.ControlClient().PostAsync($"lab/bmcs/{bmc.Index}/sessions/expire", null)) { }
            Assert.Null(await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.Equal(0, bmc.Stats.OpenSessions);
        }
    }
}
