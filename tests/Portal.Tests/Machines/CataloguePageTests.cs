using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Users;
using Portal.Machines;
using Portal.Tests.Support;

namespace Portal.Tests.Machines;

/// <summary>The catalogue page in the circuit, on the real Portal's services and database.</summary>
public sealed class CataloguePageTests(PortalFactory portal) : MachinePageTest(portal), IClassFixture<PortalFactory>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static List<string> Names(IRenderedComponent<MachinesPage> page) =>
        page.FindAll("#machines .machine-name").Select(a => a.TextContent.Trim()).ToList();

    /// <summary>The grid's header cell of a column.</summary>
    private static AngleSharp.Dom.IElement Header(IRenderedComponent<MachinesPage> page, string title) =>
        page.FindAll("#machines th").Single(th => th.TextContent.Trim() == title);

    [Fact]
    public async Task TheCatalogueListsMachinesFromTheDatabaseWithFacetCounts()
    {
        await Portal.SeedMachinesAsync("listed", (64, 2), (64, 0), (16, 1));
        await SignInAsAsync("lister");
        GoTo("/machines?tag=listed&gpus=1");

        var page = RenderPage<MachinesPage>();

        page.WaitForAssertion(() => Assert.Equal(["listed-0", "listed-2"], Names(page).Order()), Wait);
        Assert.Contains("2", page.Find("#result-count").TextContent);
        // The tag chip and the chosen GPU threshold carry their counts.
        Assert.Contains("listed (2)", page.Find("[data-tag='listed']").TextContent);
        Assert.Contains("≥ 1 GPU (2)", page.Markup);
    }

    [Fact]
    public async Task AFilterFromTheUrlIsAppliedAndTheUrlFollowsAFilterChange()
    {
        await Portal.SeedMachinesAsync("follow", (64, 0), (64, 0), (8, 0));
        await SignInAsAsync("follower");
        GoTo("/machines?tag=follow&cores=64");

        var page = RenderPage<MachinesPage>();
        page.WaitForAssertion(() => Assert.Equal(["follow-0", "follow-1"], Names(page).Order()), Wait);

        // Another filter: the results follow, and so does the address (replaced, not reloaded).
        var cpu = page.FindAll("label").Single(l => l.TextContent.Contains("CPU model contains")).GetAttribute("for");
        Fresh.Dispatch(() => page.Find($"input#{cpu}").Input("no such cpu"));
        page.WaitForAssertion(() => Assert.Empty(Names(page)), Wait);
        Assert.Equal("/machines?cores=64&cpu=no%20such%20cpu&tag=follow", Url);
        Assert.Contains("No machines match these filters", page.Find("#catalogue-empty").TextContent);

        page.WaitForAssertion(() => page.Find("#clear-filters").Click()); // again if a render replaced the button meanwhile
        page.WaitForAssertion(() => Assert.Equal("/machines", Url), Wait);
    }

    [Fact]
    public async Task AnotherFilteredAddressOpenedInTheSameCircuitShowsThatView()
    {
        await Portal.SeedMachinesAsync("hop", (64, 0), (8, 0));
        await SignInAsAsync("hopper");
        GoTo("/machines?tag=hop");
        var page = RenderPage<MachinesPage>();
        page.WaitForAssertion(() => Assert.Equal(["hop-0", "hop-1"], Names(page).Order()), Wait);

        // A link, back/forward or Blazor.navigateTo: only the query string changes, the page stays.
        GoTo("/machines?tag=hop&cores=64");

        page.WaitForAssertion(() => Assert.Equal(["hop-0"], Names(page)), Wait);

        // An address sorted otherwise: the grid sorts that way and its header says so.
        GoTo("/machines?tag=hop&sort=cores");
        page.WaitForAssertion(() => Assert.Equal(["hop-1", "hop-0"], Names(page)), Wait);
        Assert.Equal("ascending", Header(page, "Cores").GetAttribute("aria-sort"));
        Assert.Null(Header(page, "Name").GetAttribute("aria-sort"));
    }

    [Fact]
    public async Task AHeaderSortsAndThePagerPagesAndTheUrlFollowsBoth()
    {
        await Portal.SeedMachinesAsync("pager", (64, 0), (32, 0), (16, 0));
        await SignInAsAsync("pager");
        GoTo("/machines?tag=pager&size=2");
        var page = RenderPage<MachinesPage>();
        page.WaitForAssertion(() => Assert.Equal(["pager-0", "pager-1"], Names(page)), Wait);
        Assert.Equal("1–2 of 3", page.Find("#page-range").TextContent.Trim());
        Assert.Equal("2", page.Find("#page-size").GetAttribute("value")); // the link's size, offered beside the usual ones
        Assert.True(page.Find("[aria-label='Previous page']").HasAttribute("disabled"));

        Fresh.Dispatch(() => page.Find("[aria-label='Next page']").Click());
        page.WaitForAssertion(() => Assert.Equal(["pager-2"], Names(page)), Wait);
        Assert.Equal("3–3 of 3", page.Find("#page-range").TextContent.Trim());
        Assert.Equal("/machines?tag=pager&page=2&size=2", Url);
        Assert.True(page.Find("[aria-label='Next page']").HasAttribute("disabled"));

        // A header sorts ascending from the first page; clicked again, descending.
        Assert.Equal("ascending", Header(page, "Name").GetAttribute("aria-sort"));
        Fresh.Dispatch(() => Header(page, "Cores").QuerySelector(".sortable-column-header")!.Click());
        page.WaitForAssertion(() => Assert.Equal(["pager-2", "pager-1"], Names(page)), Wait);
        Assert.Equal("/machines?tag=pager&sort=cores&size=2", Url);
        Assert.Equal("ascending", Header(page, "Cores").GetAttribute("aria-sort"));
        Fresh.Dispatch(() => Header(page, "Cores").QuerySelector(".sortable-column-header")!.Click());
        page.WaitForAssertion(() => Assert.Equal(["pager-0", "pager-1"], Names(page)), Wait);
        Assert.Equal("/machines?tag=pager&sort=cores&dir=desc&size=2", Url);
        Assert.Equal("descending", Header(page, "Cores").GetAttribute("aria-sort"));

        // A page size from the pager's list goes back to the first page.
        Fresh.Dispatch(() => page.Find("#page-size").Change("25"));
        page.WaitForAssertion(() => Assert.Equal(["pager-0", "pager-1", "pager-2"], Names(page)), Wait);
        Assert.Equal("/machines?tag=pager&sort=cores&dir=desc", Url);
    }

    [Fact]
    public async Task GarbageInTheQueryStringIsLeftOutAndSaidSo()
    {
        await Portal.SeedMachinesAsync("garbage", (8, 0));
        await SignInAsAsync("garbler");
        GoTo("/machines?tag=garbage&cores=lots&state=bogus&sort=%27%3B--&page=-3&size=x&memory=999999999999999999999");

        var page = RenderPage<MachinesPage>();

        page.WaitForAssertion(() => Assert.Equal(["garbage-0"], Names(page)), Wait);
        var said = page.Find("#ignored-filters").TextContent;
        foreach (var bad in new[] { "cores=lots", "state=bogus", "page=-3", "size=x" }) Assert.Contains(bad, said);
        Assert.Equal("/machines?tag=garbage", Url);
    }

    [Fact]
    public async Task ReservingTwoMachinesWhereOneIsTakenMeanwhileReservesNoneAndShowsTheConflict()
    {
        var ids = await Portal.SeedMachinesAsync("conflict", (8, 0), (8, 0));
        var first = await Portal.RequesterAsync("first");
        await SignInAsAsync("second");
        GoTo("/machines?tag=conflict");
        var page = RenderPage<MachinesPage>();
        page.WaitForAssertion(() => Assert.Equal(2, Names(page).Count), Wait);

        foreach (var id in ids) Fresh.Dispatch(() => page.Find($"[data-pick='{id}'] input").Change(true));
        await Portal.ReserveAsync(first, ids[1]); // someone else is quicker
        page.WaitForAssertion(() => Assert.Equal(["conflict-0"], Names(page)), Wait); // the page hears of it, the pick stays
        Fresh.Dispatch(() => page.Find("#reserve-selected").Click());

        page.WaitForAssertion(() => Assert.Contains("conflict-1", page.Find("#reserve-conflicts").TextContent), Wait);
        Assert.Contains("Nothing was reserved", page.Find("#reserve-conflicts").TextContent);
        Assert.Contains(Snackbars, s => s.Contains("first@test.local"));
        Assert.Equal(MachineState.Available, (await Portal.MachineAsync(ids[0])).State);
        Assert.Equal("first@test.local", (await Portal.MachineAsync(ids[1])).ReservedByName);
    }

    [Fact]
    public async Task ReservingPickedMachinesTakesThemAndGoesToMyMachines()
    {
        var ids = await Portal.SeedMachinesAsync("reserve", (32, 0), (32, 0), (32, 0));
        await SignInAsAsync("reserver");
        GoTo("/machines?tag=reserve");
        var page = RenderPage<MachinesPage>();
        page.WaitForAssertion(() => Assert.Equal(3, Names(page).Count), Wait);

        Fresh.Dispatch(() => page.Find($"[data-pick='{ids[0]}'] input").Change(true));
        Fresh.Dispatch(() => page.Find($"[data-pick='{ids[1]}'] input").Change(true));
        page.WaitForAssertion(() => Assert.Contains("Reserve selected (2)", page.Find("#reserve-selected").TextContent));
        Fresh.Dispatch(() => page.Find("#reserve-selected").Click());

        page.WaitForAssertion(() => Assert.Equal("/machines/mine", Url), Wait);
        Assert.Contains(Snackbars, s => s.StartsWith("Reserved 2 machines", StringComparison.Ordinal));
        Assert.Equal("reserver@test.local", (await Portal.MachineAsync(ids[0])).ReservedByName);
        Assert.Equal(MachineState.Available, (await Portal.MachineAsync(ids[2])).State);
    }

    [Fact]
    public async Task TheCatalogueReloadsWhenAMachineIsTakenElsewhere()
    {
        var ids = await Portal.SeedMachinesAsync("catlive", (8, 0), (8, 0));
        var other = await Portal.RequesterAsync("catlive-other");
        await SignInAsAsync("catlive-viewer");
        GoTo("/machines?tag=catlive");
        var page = RenderPage<MachinesPage>();
        page.WaitForAssertion(() => Assert.Equal(2, Names(page).Count), Wait);

        await Portal.ReserveAsync(other, ids[0]);

        page.WaitForAssertion(() => Assert.Equal(["catlive-1"], Names(page)), Wait);
    }
}
