// UI bench: N signed-in circuits (one Debian Chromium, one browser context each) open on the
// catalogue of M machines, served by the real Portal in this process so the bench reads the
// server's managed heap and metrics directly. Prints the managed memory per circuit and the time
// of a filter change (server, from the Portal's/ASP.NET Core's histograms; and as the browser
// sees it), each with its target and PASS/MISS. Filters change by clicking the tag facets, as a person
// does. Exits non-zero when the bench fails or either figure misses its target.
// Args (or UI_BENCH_MACHINES / UI_BENCH_CIRCUITS / UI_BENCH_CHANGES): [machines=50000] [circuits=50] [changes=200].
extern alias PortalApp;

using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Portal.Bench;
using Portal.Core.Catalogue;
using Portal.TestSupport;
using Portal.Ui.Bench;
using MachinesPage = PortalApp::Portal.Machines.MachinesPage;
using UiMetrics = PortalApp::Portal.Live.UiMetrics;

var machineCount = Setting(0, "UI_BENCH_MACHINES", 50_000);
var circuitCount = Setting(1, "UI_BENCH_CIRCUITS", 50);
var changeCount = Setting(2, "UI_BENCH_CHANGES", 200);
const double MemoryTargetMb = 2, ServerTargetMs = 150;

var work = Directory.CreateTempSubdirectory("portal-ui-bench-").FullName;
var connectionString = await TestPostgres.CreateDatabaseAsync("uibench");
var failed = false;
var missed = false;
try
{
    // Listening before the Portal starts, so the circuit counter sees every circuit.
    var profile = Environment.GetEnvironmentVariable("UI_BENCH_PROFILE") is { Length: > 0 };
    using var probe = new ServerProbe(UiMetrics.MeterName, profile);
    await using var portal = new PortalUnderTest(connectionString, Directory.CreateDirectory(Path.Combine(work, "data")).FullName);
    portal.Start(); // migrates the database and creates the admin
    var clock = Stopwatch.StartNew();
    await CatalogueSeed.SeedAsync(connectionString, machineCount);
    // The catalogue bench's realistic views reduced to their filters: each tab opens on one of them
    // (the page applies filters from its URL when it loads), then changes filters by tag facets.
    var views = new List<CatalogueView>();
    foreach (var text in CatalogueSeed.Queries)
        views.Add(await ViewAsync(portal, CatalogueQuery.Parse(text) with { Sort = CatalogueSort.Name, Descending = false, Page = 1 }));
    Console.WriteLine($"ui bench: {machineCount:N0} machines seeded in {clock.Elapsed.TotalSeconds:F1} s; {circuitCount} circuits on {views.Count} views, {changeCount} filter changes");

    using var playwright = await Playwright.CreateAsync();
    await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = "/usr/bin/chromium",
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"],
    });
    clock.Restart();
    // Four at a time: signing in hashes a password, and the machine has two cores for all of it.
    var tabs = await InBatchesAsync(Enumerable.Range(0, circuitCount), _ => CatalogueTab.SignInAsync(browser, portal.BaseUrl, PortalUnderTest.AdminEmail, PortalUnderTest.AdminPassword));
    Console.WriteLine($"  {circuitCount} browser contexts signed in through the login form in {clock.Elapsed.TotalSeconds:F1} s");

    // Warm-up circuit (JIT, MudBlazor's statics, the change path), opened and closed again. Every
    // view's facet counts are cached already (reading the views above went through the app's cache).
    await tabs[0].OpenAsync(views[0]);
    for (var i = 0; i < 4; i++) await ChangeFilterAsync(portal, tabs[0], i);
    await tabs[0].LeaveAsync();
    await probe.WaitForCircuitsAsync(0, TimeSpan.FromSeconds(60));
    // Then every tab once, opened and closed the way the measurement opens them: buffers the process
    // shares between all connections (ArrayPool, Kestrel's memory pool) grow to what this load needs
    // and stay, closed circuits or not. They are not any circuit's memory, so they are grown here,
    // before the heap without circuits is read, and said how much.
    var cold = ManagedHeap();
    await InBatchesAsync(Enumerable.Range(0, circuitCount), async i => { await tabs[i].OpenAsync(views[i % views.Count]); return i; });
    await probe.WaitForCircuitsAsync(circuitCount, TimeSpan.FromSeconds(60));
    await InBatchesAsync(tabs, async tab => { await tab.LeaveAsync(); return tab; });
    await probe.WaitForCircuitsAsync(0, TimeSpan.FromSeconds(60));

    // ---- managed memory per circuit: the heap with no circuit, then with every tab on the catalogue.
    var before = ManagedHeap();
    clock.Restart();
    await InBatchesAsync(Enumerable.Range(0, circuitCount), async i => { await tabs[i].OpenAsync(views[i % views.Count]); return i; });
    await probe.WaitForCircuitsAsync(circuitCount, TimeSpan.FromSeconds(60));
    Console.WriteLine($"  {circuitCount} circuits open on /machines with rows shown in {clock.Elapsed.TotalSeconds:F1} s (Blazor counts {probe.Circuits})");
    await Task.Delay(1000); // let the last render batches be acknowledged
    var after = ManagedHeap();
    if (probe.Circuits != circuitCount) throw new InvalidOperationException($"{probe.Circuits} circuits while measuring, expected {circuitCount}");
    var perCircuitMb = (after - before) / (double)circuitCount / (1024 * 1024);
    // UI_BENCH_HOLD=<seconds> keeps the circuits open here, for a heap dump (dotnet-dump collect -p <pid>).
    if (Environment.GetEnvironmentVariable("UI_BENCH_HOLD") is { Length: > 0 } hold)
    {
        Console.WriteLine($"HOLD pid {Environment.ProcessId} per circuit {perCircuitMb:F2} MB");
        await Task.Delay(TimeSpan.FromSeconds(int.Parse(hold)));
    }

    // ---- filter changes, round-robin over the tabs, one at a time (the server time of one change, not of a crowd).
    var server = new List<double>();
    var loads = new List<double>();
    var browserMs = new List<double>();
    var gcs = new List<(double PauseMs, int Gen1, int Gen2)>();
    var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
    probe.Profiling = true;
    for (var n = 0; n < changeCount; n++)
    {
        var mark = probe.Durations.Count;
        var (paused, gen1, gen2) = (GC.GetTotalPauseDuration(), GC.CollectionCount(1), GC.CollectionCount(2));
        browserMs.Add(await ChangeFilterAsync(portal, tabs[n % tabs.Count], n / tabs.Count));
        gcs.Add(((GC.GetTotalPauseDuration() - paused).TotalMilliseconds, GC.CollectionCount(1) - gen1, GC.CollectionCount(2) - gen2));
        var recorded = await RecordedSinceAsync(probe, mark);
        server.Add(recorded.Where(IsChipClick).Max(r => r.Seconds) * 1000);
        var load = recorded.Where(r => r.Instrument == ServerProbe.LoadDuration && r.Component == nameof(MachinesPage)).ToList();
        if (load.Count > 0) loads.Add(load.Max(r => r.Seconds) * 1000);
    }

    probe.Profiling = false;
    var allocatedPerChange = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (double)changeCount;

    // The heap once every circuit is gone again: what stays was not the circuits' (this process also
    // holds Playwright's client objects for the tabs, and the facet counts of the filters visited).
    await InBatchesAsync(tabs, async tab => { await tab.LeaveAsync(); return tab; });
    await probe.WaitForCircuitsAsync(0, TimeSpan.FromSeconds(60));
    var closed = ManagedHeap();

    Console.WriteLine($"ui: {circuitCount} signed-in circuits on the catalogue of {machineCount:N0} machines");
    Console.WriteLine($"  managed memory per circuit: {perCircuitMb:F2} MB (heap {before / 1048576.0:F1} MB with 0 circuits, {after / 1048576.0:F1} MB with {circuitCount}) " +
        $"(target <= {MemoryTargetMb} MB) {(perCircuitMb <= MemoryTargetMb ? "PASS" : "MISS")}");
    Console.WriteLine($"    shared buffers grown by the warm-up round of {circuitCount} circuits (not counted above): {(before - cold) / 1048576.0:F1} MB");
    Console.WriteLine($"    heap {closed / 1048576.0:F1} MB once the circuits closed again, after the filter changes");
    // What covers a filter change is ASP.NET Core's duration of the facet chip's click event: it
    // awaits the page's handler, i.e. the catalogue query (filter + sort + page + facets) and the
    // page's render (diff computed, batch queued to the browser). The query alone is the page's
    // portal.ui.load.duration (recorded around its read of the catalogue).
    var (s50, s95) = (Percentile(server, 50), Percentile(server, 95));
    missed = perCircuitMb > MemoryTargetMb || s95 > ServerTargetMs;
    Console.WriteLine($"  filter change, server ({ServerProbe.HandleEvent} of the facet chip's click: query + render): " +
        $"p50 {s50:F1} ms, p95 {s95:F1} ms (target p95 <= {ServerTargetMs} ms) {(s95 <= ServerTargetMs ? "PASS" : "MISS")}");
    Console.WriteLine(loads.Count == server.Count
        ? $"    of which the catalogue query ({ServerProbe.LoadDuration} of {nameof(MachinesPage)}): p50 {Percentile(loads, 50):F1} ms, p95 {Percentile(loads, 95):F1} ms"
        : $"    ({ServerProbe.LoadDuration} of {nameof(MachinesPage)} recorded for {loads.Count} of {server.Count} changes)");
    if (Environment.GetEnvironmentVariable("UI_BENCH_SLOWEST") is { Length: > 0 })
        foreach (var (total, i) in server.Select((t, i) => (t, i)).OrderByDescending(x => x.t).Take(15))
            Console.WriteLine($"    slow change #{i}: {total:F1} ms, query {(i < loads.Count ? loads[i] : double.NaN):F1} ms, " +
                $"GC pauses in the change {gcs[i].PauseMs:F1} ms ({gcs[i].Gen1} gen1, {gcs[i].Gen2} gen2)");
    if (profile)
    {
        Console.WriteLine($"    allocated per change (whole process, bench included): {allocatedPerChange / 1048576.0:F2} MB; renders per change by component type:");
        foreach (var (type, (count, seconds)) in probe.Renders.OrderByDescending(r => r.Value.Seconds))
            Console.WriteLine($"      {count / (double)changeCount,7:F1} x {type}: {seconds * 1000 / changeCount:F2} ms");
    }
    Console.WriteLine($"  filter change, browser (click -> new rows shown): p50 {Percentile(browserMs, 50):F1} ms, p95 {Percentile(browserMs, 95):F1} ms");
}
catch (Exception e)
{
    Console.WriteLine($"ui bench failed: {e}");
    failed = true;
}
finally
{
    await TestPostgres.DropDatabaseAsync(connectionString);
    Directory.Delete(work, true);
}
if (missed) Console.WriteLine("ui bench: a target was missed");
return failed || missed ? 1 : 0;

static int Setting(int index, string variable, int fallback) =>
    Environment.GetCommandLineArgs().Skip(1).ElementAtOrDefault(index) is { } arg ? int.Parse(arg)
    : Environment.GetEnvironmentVariable(variable) is { Length: > 0 } env ? int.Parse(env)
    : fallback;

static long ManagedHeap()
{
    GC.Collect();
    GC.WaitForPendingFinalizers();
    GC.Collect();
    return GC.GetTotalMemory(forceFullCollection: true);
}

// What the page shows for a query, read through Core (and the app's facet cache) as the page does.
static async Task<CatalogueView> ViewAsync(PortalUnderTest portal, CatalogueQuery query)
{
    await using var scope = portal.Services.CreateAsyncScope();
    var page = await scope.ServiceProvider.GetRequiredService<MachineCatalogue>().SearchAsync(query);
    var qs = query.ToQueryString();
    var tags = query.Tags.Union(page.Facets[CatalogueFacets.Tag].Where(t => t.Count > 0).Select(t => t.Value)).ToList();
    return new CatalogueView(query, qs.Length > 0 ? "/machines?" + qs : "/machines", page.Total, page.Rows.FirstOrDefault()?.Name, tags);
}

// One filter change on a tab: a tag that is on goes off, else the next offered tag goes on (turn by
// turn), skipping a change the browser could not tell from the view it shows (same count, same first row).
static async Task<double> ChangeFilterAsync(PortalUnderTest portal, CatalogueTab tab, int turn)
{
    var showing = tab.Showing ?? throw new InvalidOperationException("the tab shows no catalogue");
    var offered = showing.Tags.Except(showing.Query.Tags).ToList();
    var candidates = showing.Query.Tags.Concat(offered.Skip(turn % Math.Max(1, offered.Count)).Concat(offered.Take(turn % Math.Max(1, offered.Count))));
    foreach (var tag in candidates)
    {
        var tags = showing.Query.Tags.Contains(tag) ? showing.Query.Tags.Where(t => t != tag) : showing.Query.Tags.Append(tag);
        var next = await ViewAsync(portal, showing.Query with { Tags = tags.Order(StringComparer.Ordinal).ToList() });
        if (!next.LooksLike(showing)) return await tab.ToggleTagAsync(tag, next);
    }
    throw new InvalidOperationException($"no tag changes what {showing.Url} shows");
}

// MudBlazor hands a chip's click to Blazor through its EventUtil receiver (so the chip itself does not
// re-render): the event's receiver is that, for a mouse event; its task is the chip's handler, which
// awaits the page's OnClick callback. The bench changes one filter at a time, so it is the only click.
static bool IsChipClick(Duration r) =>
    r.Instrument == ServerProbe.HandleEvent
    && r.Component.StartsWith("MudBlazor.EventUtil+AsyncReceiver`1[[Microsoft.AspNetCore.Components.Web.MouseEventArgs", StringComparison.Ordinal);

// The event's duration is recorded when the handler's task ends, before the browser can show the
// result; a short grace covers the thread hop.
static async Task<List<Duration>> RecordedSinceAsync(ServerProbe probe, int mark)
{
    for (var waited = 0; waited < 2000; waited += 10)
    {
        var recorded = probe.Since(mark);
        if (recorded.Any(IsChipClick)) return recorded;
        await Task.Delay(10);
    }
    throw new InvalidOperationException($"no {ServerProbe.HandleEvent} recorded for a facet chip after a filter change: {string.Join(", ", probe.Since(mark).Select(r => $"{r.Instrument} {r.Component} {r.Seconds * 1000:F1} ms"))}");
}

static async Task<List<T>> InBatchesAsync<TIn, T>(IEnumerable<TIn> items, Func<TIn, Task<T>> run)
{
    var results = new List<T>();
    foreach (var batch in items.Chunk(4)) results.AddRange(await Task.WhenAll(batch.Select(run)));
    return results;
}

static double Percentile(List<double> values, int p)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];
}
