using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Catalogue;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Reservations;
using Portal.Live;
using Portal.Shell;

namespace Portal.Machines;

/// <summary>
/// The catalogue: Core's <see cref="MachineCatalogue"/> behind a table the page draws itself, the
/// facet filters above it. The address is the view: every change of filter, sort or page replaces the
/// URL (no reload), and opening such a URL shows the same view. A change is one query and one render
/// (see <see cref="IHandleEvent.HandleEventAsync"/>).
/// </summary>
public sealed partial class MachinesPage : LiveComponent, IHandleEvent
{
    [Inject] private IDbContextFactory<AppDbContext> Contexts { get; set; } = default!;
    [Inject] private CatalogueFacetCache FacetCache { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private UiActions Actions { get; set; } = default!;
    [Inject] private Microsoft.Extensions.Options.IOptions<ReservationOptions> ReservationOptions { get; set; } = default!;

    private static readonly int[] PageSizes = [25, 50, 100, 200];

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
    // Counts the loads started: a load that finishes after a later one started is not shown.
    private int loads;
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
    /// second time for nothing. Only the first set counts (it loads the view, through
    /// <see cref="LiveComponent"/>); address changes are handled by <see cref="OnLocationChanged"/>.
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

    /// <summary>The first load and live reloads: the view shown, read again (LiveComponent times them).</summary>
    protected override Task LoadAsync() => ShowAsync(query);

    /// <summary>
    /// Reads <paramref name="asked"/> and makes it the view: rows, counts, facets and the address.
    /// Core may correct the query (a page past the end shows the last page); the address says what is shown.
    /// </summary>
    private async Task ShowAsync(CatalogueQuery asked)
    {
        query = asked;
        var load = ++loads;
        // A context per load, never one for the circuit's life; the facet cache is the app's one.
        Portal.Core.Catalogue.CataloguePage page;
        await using (var db = await Contexts.CreateDbContextAsync())
            page = await new MachineCatalogue(db, FacetCache).SearchAsync(asked);
        if (load != loads) return; // a later change is on its way and decides what shows
        result = page;
        query = page.Query;
        // Only while the catalogue is still the page shown: a load that finishes after the person
        // moved on (to My machines after reserving) must not pull them back.
        var url = CatalogueUrl.For(query);
        if (!leaving && new Uri(Navigation.Uri).AbsolutePath == CatalogueUrl.Path && Navigation.ToBaseRelativePath(Navigation.Uri).Insert(0, "/") != url)
            Navigation.NavigateTo(url, replace: true);
    }

    /// <summary>A view the person asked for (filter, sort, page, address), timed like every load.</summary>
    private async Task ChangeAsync(CatalogueQuery next)
    {
        conflicts = [];
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        await ShowAsync(next);
        RecordLoad(started);
    }

    /// <summary>A filter changed: the results start at their first page.</summary>
    private Task SetAsync(CatalogueQuery next) => ChangeAsync(next with { Page = 1 });

    /// <summary>A header clicked: its column ascending, or the other way round if it already sorts by it.</summary>
    private Task SortAsync(CatalogueSort sort) =>
        ChangeAsync(query with { Sort = sort, Descending = query.Sort == sort && !query.Descending, Page = 1 });

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
        await ShowAsync(query);
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
