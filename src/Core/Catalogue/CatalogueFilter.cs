using Npgsql;
using NpgsqlTypes;

namespace Portal.Core.Catalogue;

/// <summary>
/// The query's filters as one SQL WHERE clause over "Machines", written once and used by both the
/// result page and the facet counts. Every condition is a shape PostgreSQL can serve from the
/// indexes in migration 0005: equality/range on btree columns, array containment (@&gt;) on GIN.
/// </summary>
internal sealed class CatalogueFilter
{
    private readonly List<string> conditions = [];
    private readonly List<Func<NpgsqlParameter>> parameters = [];

    public CatalogueFilter(CatalogueQuery q)
    {
        Add(q.Architecture, "\"Architecture\" = {0}", NpgsqlDbType.Varchar);
        Add(q.MinCores, "\"CpuCores\" >= {0}", NpgsqlDbType.Integer);
        Add(q.MinThreads, "\"CpuThreads\" >= {0}", NpgsqlDbType.Integer);
        Add(q.MinMemoryBytes, "\"MemoryBytes\" >= {0}", NpgsqlDbType.Bigint);
        Add(q.Cpu is null ? null : "%" + EscapeLike(q.Cpu) + "%", "\"CpuModel\" ILIKE {0}", NpgsqlDbType.Varchar);
        Add(q.DiskKind is null ? null : new[] { q.DiskKind }, "\"DiskKinds\" @> {0}", NpgsqlDbType.Array | NpgsqlDbType.Text);
        Add(q.MinStorageBytes, "\"DiskTotalBytes\" >= {0}", NpgsqlDbType.Bigint);
        Add(q.Gpu is null ? null : new[] { q.Gpu }, "\"GpuModels\" @> {0}", NpgsqlDbType.Array | NpgsqlDbType.Text);
        Add(q.MinGpus, "\"GpuCount\" >= {0}", NpgsqlDbType.Integer);
        Add(q.MinNicMbps, "\"NicMaxSpeedMbps\" >= {0}", NpgsqlDbType.Bigint);
        Add(q.Vendor, "\"Manufacturer\" = {0}", NpgsqlDbType.Varchar);
        Add(q.Model, "\"Model\" = {0}", NpgsqlDbType.Varchar);
        Add(q.Tags.Count == 0 ? null : q.Tags.ToArray(), "\"Tags\" @> {0}", NpgsqlDbType.Array | NpgsqlDbType.Text);
        var states = q.States.Count == 0 ? null : q.States.Select(s => s.ToString()).ToArray();
        StateCondition = states is null ? "\"State\" <> 'Maintenance'" : AddParameter(states, NpgsqlDbType.Array | NpgsqlDbType.Text, "\"State\" = ANY({0})");
    }

    /// <summary>The state part on its own: facets count every state, so it is kept apart.</summary>
    public string StateCondition { get; }

    /// <summary>All filters but the state.</summary>
    public string WhereWithoutState => conditions.Count == 0 ? "TRUE" : string.Join(" AND ", conditions);

    public string Where => $"{WhereWithoutState} AND {StateCondition}";

    /// <summary>Fresh parameter objects for each command (Npgsql parameters belong to one command).</summary>
    public NpgsqlParameter[] Parameters() => parameters.Select(p => p()).ToArray();

    private void Add(object? value, string condition, NpgsqlDbType type)
    {
        if (value is null) return;
        conditions.Add(AddParameter(value, type, condition));
    }

    private string AddParameter(object value, NpgsqlDbType type, string condition)
    {
        var name = $"@f{parameters.Count}";
        parameters.Add(() => new NpgsqlParameter(name[1..], type) { Value = value });
        return string.Format(System.Globalization.CultureInfo.InvariantCulture, condition, name);
    }

    private static string EscapeLike(string text) => text.Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_");
}
