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
/// The catalogue: Core's <see cref="MachineCatalogue"/> behind a server-data MudDataGrid, the facet
/// filters above it. The address is the view: every change of filter, sort or page replaces the URL
/// (no reload), and opening such a URL shows the same view. The page's query is the view; the grid's
/// own state only sorts (its headers). A change is one query: one ReloadServerData, the grid's own
/// renders around it, and one render of the page (see <see cref="IHandleEvent.HandleEventAsync"/>).
/// </summary>
public sealed partial class MachinesPage : LiveComponent, IHandleEvent
{
    [Inject] private IDbContextFactory<AppDbContext> Contexts { get; set; } = default!;
    [Inject] private CatalogueFacetCache FacetCache { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private UiActions Actions { get; set; } = default!;
    [Inject] private Microsoft.Extensions.Options.IOptions<ReservationOptions> ReservationOptions { get; set; } = default!;

    private static readonly int[] PageSizes = [25, 50, 100, 200];

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

    private bool started;

    /// <summary>
    /// The page has no parameters, yet the router sets them again on every address change — including
    /// the page's own replacement after each filter change, which would load and render the page a
    /// second time for nothing. Only the first set counts; address changes are handled by
    /// <see cref="OnLocationChanged"/>.
    /// </summary>
    public override Task SetParametersAsync(ParameterView parameters)
    {
        if (started) return Task.CompletedTask;
        started = true;
        return base.SetParametersAsync(parameters);
    }

    /// <summary>
    /// One render per event, once its handler is done. ComponentBase also renders as soon as an async
    /// handler first waits — here that is before the query, which would draw the whole page again
    /// unchanged. What must show while waiting (the reserve button's busy state) renders explicitly.
    /// </summary>
    async Task IHandleEvent.HandleEventAsync(EventCallbackWorkItem callback, object? arg)
    {
        try { await callback.InvokeAsync(arg); }
        finally { StateHasChanged(); }
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
            ignored = notUnderstood;
            await ChangeAsync(fromUrl);
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

    // The grid loads the first view itself, once it has rendered (ServerData); LiveComponent's load on
    // parameters would read it a second time.
    protected override Task OnParametersSetAsync() => Task.CompletedTask;

    /// <summary>Live reloads: the view shown, read again (LiveComponent times them and renders the page after).</summary>
    protected override Task LoadAsync() => grid?.ReloadServerData() ?? Task.CompletedTask;

    /// <summary>
    /// The grid's ServerData: reads the page's query and makes the answer the view (rows, counts, facets,
    /// the address). The grid's state only says the sort, which its headers change; paging is the page's,
    /// since Core corrects the page (a page past the end shows the last page) and the address says what is shown.
    /// </summary>
    private async Task<GridData<CatalogueRow>> LoadRowsAsync(GridState<CatalogueRow> state, CancellationToken cancel)
    {
        var (sort, descending) = state.SortDefinitions.FirstOrDefault() is { } by && SortOf(by.SortBy) is { } s
            ? (s, by.Descending) : (CatalogueSort.Name, false);
        var asked = sort == query.Sort && descending == query.Descending ? query : query with { Sort = sort, Descending = descending, Page = 1 };
        var first = result is null;
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        // A context per load, never one for the circuit's life; the facet cache is the app's one.
        Portal.Core.Catalogue.CataloguePage page;
        await using (var db = await Contexts.CreateDbContextAsync(cancel))
            page = await new MachineCatalogue(db, FacetCache).SearchAsync(asked, cancel);
        RecordLoad(started); // the query alone; the event's duration covers the renders too
        // A later load started meanwhile (the grid cancelled this one): that one decides what shows.
        cancel.ThrowIfCancellationRequested();
        result = page;
        query = page.Query;
        // Only while the catalogue is still the page shown: a load that finishes after the person
        // moved on (to My machines after reserving) must not pull them back.
        var url = CatalogueUrl.For(query);
        if (!leaving && new Uri(Navigation.Uri).AbsolutePath == CatalogueUrl.Path && Navigation.ToBaseRelativePath(Navigation.Uri).Insert(0, "/") != url)
            Navigation.NavigateTo(url, replace: true);
        // Every later load is one the page asked for, and the page renders once it is done; the grid's
        // first load (and a header's sort, which changes nothing outside the grid) is not.
        if (first) StateHasChanged();
        return new GridData<CatalogueRow> { Items = page.Rows, TotalItems = page.Total };
    }

    private CatalogueSort? SortOf(string propertyName) =>
        grid?.RenderedColumns.FirstOrDefault(c => c.PropertyName == propertyName)?.Tag as CatalogueSort?;

    /// <summary>A header shows its column's sort when the view (the address) sorts by it.</summary>
    private SortDirection Initial(CatalogueSort sort) =>
        query.Sort != sort ? SortDirection.None : query.Descending ? SortDirection.Descending : SortDirection.Ascending;

    /// <summary>
    /// A view the person asked for (filter, page, address): one load of the grid. A view sorted otherwise
    /// than the grid sorts (an address) is the grid's sort to change, which loads.
    /// </summary>
    private async Task ChangeAsync(CatalogueQuery next)
    {
        conflicts = [];
        var sortChanged = next.Sort != query.Sort || next.Descending != query.Descending;
        query = next;
        if (grid is null) return; // not drawn yet: its first load reads the query
        if (sortChanged && grid.RenderedColumns.FirstOrDefault(c => c.Tag is CatalogueSort s && s == next.Sort) is { PropertyName: { } column })
            await grid.SetSortAsync(column, next.Descending ? SortDirection.Descending : SortDirection.Ascending, _ => null);
        else
            await grid.ReloadServerData();
    }

    /// <summary>A filter changed: the results start at their first page.</summary>
    private Task SetAsync(CatalogueQuery next) => ChangeAsync(next with { Page = 1 });

    private Task GoToPageAsync(int page) => ChangeAsync(query with { Page = Math.Clamp(page, 1, PageCount) });

    private Task SetPageSizeAsync(string? value) =>
        int.TryParse(value, out var size) && size is >= 1 and <= CatalogueQuery.MaxPageSize ? ChangeAsync(query with { PageSize = size, Page = 1 }) : Task.CompletedTask;

    private int PageCount => Math.Max(1, (int)(((result?.Total ?? 0) + query.PageSize - 1) / query.PageSize));

    private string PageRange => result is not { Total: > 0 } r ? "0 of 0"
        : $"{(query.Page - 1) * query.PageSize + 1}–{(query.Page - 1) * query.PageSize + r.Rows.Count} of {r.Total}";

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
        StateHasChanged(); // the button shows it is busy while Core reserves
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
        var found = outcome?.Conflicts ?? [];
        await ChangeAsync(query);
        conflicts = found;
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
