using Microsoft.AspNetCore.WebUtilities;
using Portal.Core.Catalogue;

namespace Portal.Machines;

/// <summary>
/// The catalogue's address: the query string is the view (filters, sort, page), so a view can be
/// bookmarked and shared. Reading it never fails: what <see cref="CatalogueQuery.Parse(string)"/>
/// cannot use is dropped, and named so the page can say so.
/// </summary>
internal static class CatalogueUrl
{
    public const string Path = "/machines";

    public static string For(CatalogueQuery query) => query.ToQueryString() is { Length: > 0 } qs ? $"{Path}?{qs}" : Path;

    public static (CatalogueQuery Query, IReadOnlyList<string> Ignored) Read(string uri)
    {
        var queryString = new Uri(uri).Query;
        var parameters = QueryHelpers.ParseQuery(queryString);
        var ignored = new List<string>();
        foreach (var (key, values) in parameters)
            foreach (var value in values)
                if (!string.IsNullOrWhiteSpace(value) && !Understood(key, value!)) ignored.Add($"{key}={value}");
        return (CatalogueQuery.Parse(queryString), ignored);
    }

    // A parameter is understood when it changes the query on its own, or spells a default out.
    private static bool Understood(string key, string value) =>
        CatalogueQuery.Parse([new(key, value)]) != CatalogueQuery.Default
        || (key.ToLowerInvariant(), value.Trim().ToLowerInvariant()) is ("state", "available") or ("sort", "name") or ("dir", "asc") or ("page", "1")
        || (key.Equals("size", StringComparison.OrdinalIgnoreCase) && value.Trim() == CatalogueQuery.DefaultPageSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
