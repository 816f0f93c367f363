using System.Globalization;
using System.Text;
using Microsoft.Extensions.Primitives;
using Portal.Core.Machines;

namespace Portal.Core.Catalogue;

public enum CatalogueSort { Name, Cpu, Cores, Threads, Memory, Gpus, Storage, Nic, Vendor, Arch, State, Power }

/// <summary>
/// Everything a catalogue view asks for. It round-trips through the URL query string
/// (<see cref="Parse"/> / <see cref="ToQueryString"/>), so a view can be bookmarked and shared,
/// and the same parameters drive the page and the API.
/// </summary>
public sealed record CatalogueQuery
{
    public const int DefaultPageSize = 25;
    public const int MaxPageSize = 200;
    private const long GiB = 1L << 30;
    private const long GB = 1_000_000_000;

    /// <summary>Empty = every state but Maintenance. Default: Available, what users can pick.</summary>
    public IReadOnlyList<MachineState> States { get; init; } = [MachineState.Available];
    public string? Architecture { get; init; }
    public int? MinCores { get; init; }
    public int? MinThreads { get; init; }
    public int? MinMemoryGiB { get; init; }
    /// <summary>Case-insensitive substring of the CPU model.</summary>
    public string? Cpu { get; init; }
    public string? DiskKind { get; init; }
    public int? MinStorageGB { get; init; }
    public string? Gpu { get; init; }
    public int? MinGpus { get; init; }
    public long? MinNicMbps { get; init; }
    public string? Vendor { get; init; }
    public string? Model { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public CatalogueSort Sort { get; init; } = CatalogueSort.Name;
    public bool Descending { get; init; }
    public int Page { get; init; } = 1;
    public int PageSize { get; init; } = DefaultPageSize;

    public long? MinMemoryBytes => MinMemoryGiB * GiB;
    public long? MinStorageBytes => MinStorageGB * GB;

    /// <summary>Reads the URL's parameters; anything malformed is ignored rather than failing the page.</summary>
    public static CatalogueQuery Parse(IEnumerable<KeyValuePair<string, StringValues>> parameters)
    {
        var p = parameters.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);
        // A control character (NUL, which PostgreSQL refuses) makes a value malformed like any other: ignored here; the API refuses it.
        string? Text(string key) => p.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v.ToString()) && Portal.Core.Text.ControlCharacters.IndexIn(v.ToString()) < 0
            ? v.ToString().Trim() : null;
        int? Int(string key) => int.TryParse(Text(key), NumberStyles.None, CultureInfo.InvariantCulture, out var i) && i > 0 ? i : null;
        IEnumerable<string> Many(string key) => p.TryGetValue(key, out var v)
            ? v.SelectMany(s => (s ?? "").Split(',')).Select(s => s.Trim()).Where(s => s.Length > 0 && Portal.Core.Text.ControlCharacters.IndexIn(s) < 0)
            : [];

        var stateTexts = Many("state").ToList();
        var states = stateTexts.Select(s => Enum.TryParse<MachineState>(s, true, out var st) && Enum.IsDefined(st) ? st : (MachineState?)null)
            .OfType<MachineState>().Distinct().Order().ToList();
        return new CatalogueQuery
        {
            States = stateTexts.Contains("any", StringComparer.OrdinalIgnoreCase) ? []
                : states.Count == 0 ? [MachineState.Available]
                : states,
            Architecture = Text("arch"),
            MinCores = Int("cores"),
            MinThreads = Int("threads"),
            MinMemoryGiB = Int("memory"),
            Cpu = Text("cpu"),
            DiskKind = Text("disk"),
            MinStorageGB = Int("storage"),
            Gpu = Text("gpu"),
            MinGpus = Int("gpus"),
            MinNicMbps = Int("nic"),
            Vendor = Text("vendor"),
            Model = Text("model"),
            Tags = Many("tag").Select(t => t.ToLowerInvariant()).Distinct().Order(StringComparer.Ordinal).ToList(),
            Sort = Enum.TryParse<CatalogueSort>(Text("sort"), true, out var sort) ? sort : CatalogueSort.Name,
            Descending = string.Equals(Text("dir"), "desc", StringComparison.OrdinalIgnoreCase),
            Page = Math.Max(1, Int("page") ?? 1),
            PageSize = Math.Clamp(Int("size") ?? DefaultPageSize, 1, MaxPageSize),
        };
    }

    /// <summary>
    /// For the API, where a caller should hear about a typo rather than get the default: an unknown
    /// state, sort or dir that <see cref="Parse(IEnumerable{KeyValuePair{string, StringValues}})"/> would ignore. Null when there is none.
    /// </summary>
    public static string? Problem(IEnumerable<KeyValuePair<string, StringValues>> parameters)
    {
        foreach (var (key, values) in parameters)
        {
            var texts = values.SelectMany(v => (v ?? "").Split(',')).Select(v => v.Trim()).Where(v => v.Length > 0).ToList();
            switch (key.ToLowerInvariant())
            {
                case "state" when texts.FirstOrDefault(t => !t.Equals("any", StringComparison.OrdinalIgnoreCase)
                                                          && !(Enum.TryParse<MachineState>(t, true, out var st) && Enum.IsDefined(st) && !int.TryParse(t, out _))) is { } bad:
                    return $"Unknown state \"{bad}\"; one of any, {string.Join(", ", Enum.GetNames<MachineState>())}.";
                case "sort" when texts.FirstOrDefault(t => !(Enum.TryParse<CatalogueSort>(t, true, out var so) && Enum.IsDefined(so) && !int.TryParse(t, out _))) is { } bad:
                    return $"Unknown sort \"{bad}\"; one of {string.Join(", ", Enum.GetNames<CatalogueSort>().Select(n => n.ToLowerInvariant()))}.";
                case "dir" when texts.FirstOrDefault(t => !t.Equals("asc", StringComparison.OrdinalIgnoreCase) && !t.Equals("desc", StringComparison.OrdinalIgnoreCase)) is { } bad:
                    return $"Unknown dir \"{bad}\"; asc or desc.";
            }
        }
        return null;
    }

    public static CatalogueQuery Parse(string queryString) =>
        Parse(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(queryString));

    /// <summary>The canonical query string (defaults left out), without the leading '?'.</summary>
    public string ToQueryString()
    {
        var parts = new List<(string, string)>();
        if (States.Count == 0) parts.Add(("state", "any"));
        else if (!(States.Count == 1 && States[0] == MachineState.Available)) parts.AddRange(States.Select(s => ("state", s.ToString())));
        void Add(string key, object? value) { if (value is not null) parts.Add((key, Convert.ToString(value, CultureInfo.InvariantCulture)!)); }
        Add("arch", Architecture); Add("cores", MinCores); Add("threads", MinThreads); Add("memory", MinMemoryGiB);
        Add("cpu", Cpu); Add("disk", DiskKind); Add("storage", MinStorageGB); Add("gpu", Gpu); Add("gpus", MinGpus);
        Add("nic", MinNicMbps); Add("vendor", Vendor); Add("model", Model);
        parts.AddRange(Tags.Select(t => ("tag", t)));
        if (Sort != CatalogueSort.Name) Add("sort", Sort.ToString().ToLowerInvariant());
        if (Descending) Add("dir", "desc");
        if (Page != 1) Add("page", Page);
        if (PageSize != DefaultPageSize) Add("size", PageSize);
        var sb = new StringBuilder();
        foreach (var (k, v) in parts)
            sb.Append(sb.Length == 0 ? "" : "&").Append(k).Append('=').Append(Uri.EscapeDataString(v));
        return sb.ToString();
    }

    /// <summary>True when anything beyond the default view is asked for (the "clear filters" link shows then).</summary>
    public bool HasFilters => this with { Sort = CatalogueSort.Name, Descending = false, Page = 1, PageSize = DefaultPageSize } != Default;

    public static CatalogueQuery Default { get; } = new();

    // Records compare lists by reference; compare the query by its canonical text instead.
    public bool Equals(CatalogueQuery? other) => other is not null && ToQueryString() == other.ToQueryString();
    public override int GetHashCode() => ToQueryString().GetHashCode(StringComparison.Ordinal);
}
