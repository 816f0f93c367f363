using System.Net.Http.Json;
using Portal.Cli.Tests.Support;
using Portal.Core.Users;
using Portal.Tests.Support;

namespace Portal.Cli.Tests.Machines;

[Collection(CliCollection.Name)]
public sealed class MachineCommandTests(CliPortal portal)
{
    [Fact]
    public async Task MachinesListWithTheCatalogueFiltersPrintsTheApisJson()
    {
        var token = await portal.TokenAsync("cli-list");
        var id = await portal.AddMachineAsync();

        var all = await portal.RunAsync(token, "machines", "list", "--state", "Available", "--size", "500", "--json");
        var none = await portal.RunAsync(token, "machines", "list", "--state", "Available", "--cores", "100000", "--json");

        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.Contains(all.Json.GetProperty("machines").EnumerateArray(), m => m.GetProperty("id").GetInt64() == id);
        Assert.Equal(0, none.Json.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task MachinesListAsATableShowsTheMachineAndTheCount()
    {
        var token = await portal.TokenAsync("cli-table");
        var id = await portal.AddMachineAsync();
        var name = (await portal.RunAsync(token, "machines", "show", id.ToString(), "--json")).Json.GetProperty("name").GetString()!;

        var table = await portal.RunAsync(token, "machines", "list", "--state", "any", "--size", "500", "--sort", "name");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.Contains(name, table.Out);
        Assert.Matches(@"\d+ machines, page 1 of \d+\.", table.Out);
    }

    [Fact]
    public async Task ReserveExtendAndReleaseAMachine()
    {
        var token = await portal.TokenAsync("cli-reserve");
        var id = (await portal.AddMachineAsync()).ToString();

        var reserve = await portal.RunAsync(token, "machines", "reserve", id, "--hours", "2");
        Assert.True(reserve.ExitCode == 0, reserve.ToString());
        var shown = await portal.RunAsync(token, "machines", "show", id, "--json");
        Assert.Equal("Reserved", shown.Json.GetProperty("state").GetString());

        var extend = await portal.RunAsync(token, "machines", "extend", id, "--hours", "1");
        Assert.True(extend.ExitCode == 0, extend.ToString());

        var release = await portal.RunAsync(token, "machines", "release", id);
        Assert.True(release.ExitCode == 0, release.ToString());
        Assert.Equal("Available", (await portal.RunAsync(token, "machines", "show", id, "--json")).Json.GetProperty("state").GetString());
    }

    [Fact]
    public async Task ReservingAMachineSomeoneElseHoldsExitsSixWithTheReason()
    {
        var holder = await portal.TokenAsync("cli-holder");
        var other = await portal.TokenAsync("cli-latecomer");
        var id = (await portal.AddMachineAsync()).ToString();
        Assert.Equal(0, (await portal.RunAsync(holder, "machines", "reserve", id)).ExitCode);

        var late = await portal.RunAsync(other, "machines", "reserve", id);

        Assert.Equal(ExitCodes.Conflict, late.ExitCode);
        Assert.Contains($"(machine {id})", late.Error);
    }

    [Fact]
    public async Task AnUnknownMachineExitsFiveWithThePortalsWords()
    {
        var token = await portal.TokenAsync("cli-unknown");

        var result = await portal.RunAsync(token, "machines", "show", "987654321");

        Assert.Equal(ExitCodes.NotFound, result.ExitCode);
        Assert.Contains("There is no machine 987654321.", result.Error);
    }

    [Fact]
    public async Task AUserListingBmcsExitsFourForbidden()
    {
        var token = await portal.TokenAsync("cli-no-bmcs");

        var result = await portal.RunAsync(token, "bmcs", "list");

        Assert.Equal(ExitCodes.Forbidden, result.ExitCode);
        Assert.Contains("Your roles do not allow GET /api/v1/bmcs", result.Error);
    }

    [Fact]
    public async Task PowerOnWaitsForTheBmcAndReportsThePowerState()
    {
        var token = await portal.TokenAsync("cli-power");
        var id = (await portal.AddMachineAsync()).ToString();
        Assert.Equal(0, (await portal.RunAsync(token, "machines", "reserve", id)).ExitCode);

        var on = await portal.RunAsync(token, "machines", "power", id, "on", "--json");

        Assert.True(on.ExitCode == 0, on.ToString());
        Assert.Equal("Succeeded", on.Json.GetProperty("status").GetString());
        Assert.Equal("On", on.Json.GetProperty("finalPowerState").GetString());
    }

    [Fact]
    public async Task AnOperatorListsAndShowsBmcs()
    {
        var token = await portal.TokenAsync("cli-operator", Roles.Operator);
        var machine = await portal.AddMachineAsync();
        var bmcId = await portal.WithDbAsync(db => Task.FromResult(db.Machines.Single(m => m.Id == machine).BmcId));

        var list = await portal.RunAsync(token, "bmcs", "list", "--json");
        var show = await portal.RunAsync(token, "bmcs", "show", bmcId.ToString());

        Assert.Contains(list.Json.EnumerateArray(), b => b.GetProperty("id").GetInt64() == bmcId);
        Assert.True(show.ExitCode == 0, show.ToString());
        Assert.Matches($@"\n\s*{machine}\s", show.Out); // the machine, in the BMC's table of machines
    }
}
