using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.Core.Catalogue;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Reservations;
using Portal.Live;
using Portal.Shell;

namespace Portal.Machines;

/// <summary>
/// The catalogue: Core's <see cref="MachineCatalogue"/> behind a server-data grid, the facet
/// filters above it. The address is the view: every change of filter, sort or page replaces the
/// URL (no reload), and opening such a URL shows the same view.
/// </summary>
public sealed partial class MachinesPage : LiveComponent
{
    [Inject] private IDbContextFactory<AppDbContext> Contexts { get; set; } = default!;
    [Inject] private CatalogueFacetCache FacetCache { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private UiActions Actions { get; set; } = default!;
    [Inject] private Microsoft.Extensions.Options.IOptions<ReservationOptions> ReservationOptions { get; set; } = default!;

    private static readonly Dictionary<string, CatalogueSort> SortByColumn = new()
    {
        [nameof(CatalogueRow.Name)] = CatalogueSort.Name, [nameof(CatalogueRow.Manufacturer)] = CatalogueSort.Vendor,
        [nameof(CatalogueRow.CpuModel)] = CatalogueSort.Cpu, [nameof(CatalogueRow.CpuCores)] = CatalogueSort.Cores,
        [nameof(CatalogueRow.CpuThreads)] = CatalogueSort.Threads, [nameof(CatalogueRow.MemoryBytes)] = CatalogueSort.Memory,
        [nameof(CatalogueRow.GpuCount)] = CatalogueSort.Gpus, [nameof(CatalogueRow.DiskTotalBytes)] = CatalogueSort.Storage,
        [nameof(CatalogueRow.NicMaxSpeedMbps)] = CatalogueSort.Nic, [nameof(CatalogueRow.State)] = CatalogueSort.State,
        [nameof(CatalogueRow.PowerState)] = CatalogueSort.Power,
    };

    private MudDataGrid<CatalogueRow>? grid;
    private CatalogueQuery query = CatalogueQuery.Default;
    private Portal.Core.Catalogue.CataloguePage? result;
    private IReadOnlyList<string> ignored = [];
    private IReadOnlyList<MachineConflict> conflicts = [];
    // Picked machines by id, kept across pages and reloads. A pick someone else took meanwhile stays
    // picked (and untickable): reserving then answers with the conflict instead of quietly reserving fewer.
    private readonly Dictionary<long, string> picked = [];
    private int hours;
    private bool busy;
    // Set when a filter changed: the next load starts at page 1 whatever page the grid is on.
    private bool backToFirstPage;
    private bool leaving;
    private const string StateFacet = "state";

    private CatalogueFacets Facets => result?.Facets ?? new CatalogueFacets(new Dictionary<string, IReadOnlyList<FacetValue>>());

    protected override void OnInitialized()
    {
        base.OnInitialized();
        hours = ReservationOptions.Value.DefaultHours;
        (query, ignored) = CatalogueUrl.Read(Navigation.Uri);
        Navigation.LocationChanged += OnLocationChanged;
    }

    // The grid loads itself (ServerData); LiveComponent's load on parameters is not wanted here.
    protected override Task OnParametersSetAsync() => Task.CompletedTask;

    private bool started;

    /// <summary>
    /// The page has no parameters, yet the router sets them again on every address change — including
    /// the page's own replacement after each filter change, which would render the whole page a second
    /// time for nothing. Only the first set counts; address changes are handled by <see cref="OnLocationChanged"/>.
    /// </summary>
    public override Task SetParametersAsync(ParameterView parameters)
    {
        if (started) return Task.CompletedTask;
        started = true;
        return base.SetParametersAsync(parameters);
    }

    /// <summary>
    /// A page without parameters is not told when only the query string changes (a link to another
    /// filtered view, back/forward, Blazor.navigateTo): the address is watched instead. Only a URL
    /// that says something else than the view shows changes the view; the page's own replacements do not.
    /// </summary>
    private void OnLocationChanged(object? sender, Microsoft.AspNetCore.Components.Routing.LocationChangedEventArgs e) =>
        _ = InvokeAsync(async () =>
        {
            if (leaving || new Uri(e.Location).AbsolutePath != CatalogueUrl.Path) return;
            var (fromUrl, notUnderstood) = CatalogueUrl.Read(e.Location);
            if (fromUrl == query || CatalogueUrl.For(fromUrl) == CatalogueUrl.For(result?.Query ?? query)) return;
            (query, ignored) = (fromUrl, notUnderstood);
            await ReloadGridAsync();
            StateHasChanged();
        });

    public override void Dispose()
    {
        Navigation.LocationChanged -= OnLocationChanged;
        base.Dispose();
    }

    protected override bool ShowsTopic(string topic) =>
        topic == "machines" || (topic.StartsWith("machine:", StringComparison.Ordinal) && result is not null
            && long.TryParse(topic.AsSpan("machine:".Length), out var id) && (result.Rows.Any(r => r.Id == id) || picked.ContainsKey(id)));

    protected override Task LoadAsync() => ReloadGridAsync();

    // Set while the page itself reloads the grid (a filter, a live change, an address): the page
    // renders afterwards anyway, so the load need not render it first as well. Only the grid's own
    // loads (first load, paging, sorting) must tell the page, whose counts and facets changed.
    private bool pageReloading;

    private async Task ReloadGridAsync()
    {
        if (grid is null) return;
        pageReloading = true;
        try { await grid.ReloadServerData(); }
        finally { pageReloading = false; }
    }

    private async Task<GridData<CatalogueRow>> ServerDataAsync(GridState<CatalogueRow> state, CancellationToken ct)
    {
        var sort = state.SortDefinitions.FirstOrDefault();
        var asked = query with
        {
            Sort = sort is not null && SortByColumn.TryGetValue(sort.SortBy, out var s) ? s : CatalogueSort.Name,
            Descending = sort?.Descending ?? false,
            Page = backToFirstPage ? 1 : state.Page + 1,
            PageSize = state.PageSize,
        };
        backToFirstPage = false;
        // A context per load, never one for the circuit's life; the facet cache is the app's one.
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        Portal.Core.Catalogue.CataloguePage page;
        await using (var db = await Contexts.CreateDbContextAsync(ct))
            page = await new MachineCatalogue(db, FacetCache).SearchAsync(asked, ct);
        RecordLoad(started);
        result = page;
        query = page.Query;
        // Only while the catalogue is still the page shown: a load that finishes after the person
        // moved on (to My machines after reserving) must not pull them back.
        var url = CatalogueUrl.For(query);
        if (!leaving && new Uri(Navigation.Uri).AbsolutePath == CatalogueUrl.Path && Navigation.ToBaseRelativePath(Navigation.Uri).Insert(0, "/") != url)
            Navigation.NavigateTo(url, replace: true);
        if (!pageReloading) StateHasChanged();
        return new GridData<CatalogueRow> { Items = page.Rows, TotalItems = page.Total };
    }

    private SortDirection Initial(CatalogueSort sort) =>
        query.Sort != sort ? SortDirection.None : query.Descending ? SortDirection.Descending : SortDirection.Ascending;

    private async Task SetAsync(CatalogueQuery next)
    {
        query = next;
        backToFirstPage = true;
        conflicts = [];
        await ReloadGridAsync();
    }

    private Task ToggleTagAsync(string tag) =>
        SetAsync(query with { Tags = query.Tags.Contains(tag) ? query.Tags.Where(t => t != tag).ToList() : query.Tags.Append(tag).Order(StringComparer.Ordinal).ToList() });

    private void Pick(CatalogueRow row, bool on)
    {
        if (on) picked[row.Id] = row.Name;
        else picked.Remove(row.Id);
    }

    /// <summary>All or nothing (Core's rule): on a conflict nothing is reserved and each conflict is listed.</summary>
    private async Task ReserveAsync()
    {
        busy = true;
        Outcome? outcome = null;
        var ids = picked.Keys.ToList();
        try
        {
            await Actions.RunAsync([], async (services, who) =>
                outcome = await services.GetRequiredService<Reservations>().ReserveAsync(ids, hours, who));
        }
        finally { busy = false; }
        if (outcome is { Succeeded: true })
        {
            picked.Clear();
            leaving = true;
            Navigation.NavigateTo("/machines/mine");
            return;
        }
        conflicts = outcome?.Conflicts ?? [];
        await ReloadGridAsync();
    }

    // The state filter: Available by default (what people can pick), one other state, or any but maintenance.
    private string StateValue => query.States.Count == 0 ? "any"
        : query.States is [MachineState.Available] ? "" : query.States[0].ToString();

    private Task SetStateAsync(string? value) => SetAsync(query with
    {
        States = value == "any" ? [] : Enum.TryParse<MachineState>(value, out var s) ? [s] : [MachineState.Available],
    });

    private IReadOnlyList<FacetOption> StateOptions
    {
        get
        {
            var states = Facets[CatalogueFacets.State];
            return states.Where(v => v.Value != nameof(MachineState.Available)).Select(v => new FacetOption(v.Value, v.Value, v.Count))
                .Prepend(new FacetOption("", "Available", Facets.CountOf(CatalogueFacets.State, nameof(MachineState.Available))))
                .Append(new FacetOption("any", "Any state but maintenance", states.Where(v => v.Value != nameof(MachineState.Maintenance)).Sum(v => v.Count)))
                .ToList();
        }
    }


    private IReadOnlyList<(string Tag, int Count)> TagOptions =>
        query.Tags.Union(Facets[CatalogueFacets.Tag].Select(t => t.Value)).Distinct()
            .Select(t => (t, Facets.CountOf(CatalogueFacets.Tag, t))).ToList();

    private string? CpuHint => Facets[CatalogueFacets.Cpu] is { Count: > 0 } models
        ? string.Join(", ", models.Take(2).Select(m => $"{m.Value} ({m.Count})")) + (models.Count > 2 ? ", …" : "")
        : null;
}
