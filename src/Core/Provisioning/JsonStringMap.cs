using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Provisioning;

/// <summary>
/// Name → value maps (profile defaults, deployment parameters) as jsonb objects. Npgsql would map a
/// Dictionary to hstore by default; jsonb keeps them readable in SQL and in the same form as the facts.
/// </summary>
internal static class JsonStringMap
{
    private static readonly ValueComparer<Dictionary<string, string>> Comparer = new(
        (a, b) => a!.Count == b!.Count && !a.Except(b).Any(),
        d => d.Aggregate(0, (h, p) => HashCode.Combine(h, p.Key, p.Value)),
        d => new Dictionary<string, string>(d, StringComparer.Ordinal));

    public static PropertyBuilder<Dictionary<string, string>> HasJsonStringMap(this PropertyBuilder<Dictionary<string, string>> property) =>
        property.HasColumnType("jsonb").HasConversion(
            d => JsonSerializer.Serialize(d, (JsonSerializerOptions?)null),
            s => new Dictionary<string, string>(JsonSerializer.Deserialize<Dictionary<string, string>>(s, (JsonSerializerOptions?)null) ?? new(), StringComparer.Ordinal),
            Comparer);
}
