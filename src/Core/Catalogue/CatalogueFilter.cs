using Npgsql;
using NpgsqlTypes;

namespace Portal.Core.Catalogue;

/// <summary>
/// The query's filters as one SQL WHERE clause over "Machines", written once and used by both the
/// result page and the facet counts. Every condition is a shape PostgreSQL can serve from the
/// indexes in migrations 0005/0006: equality/range on btree columns, array containment (@&gt;) on GIN.
/// The CPU text arrives already resolved to the models it matches (<paramref name="cpuModels"/>,
/// see <see cref="CpuModelsMatchingSql"/>): ILIKE costs a case-folding per row, and the text
/// is tested on every statement of a search, while a fleet has only a few dozen CPU models.
/// </summary>
internal sealed class CatalogueFilter
{
    private readonly List<string> conditions = [];
    private readonly List<Func<NpgsqlParameter>> parameters = [];

    public CatalogueFilter(CatalogueQuery q, IReadOnlyList<string>? cpuModels)
    {
        Add(q.Architecture, "\"Architecture\" = {0}", NpgsqlDbType.Varchar);
        Add(q.MinCores, "\"CpuCores\" >= {0}", NpgsqlDbType.Integer);
        Add(q.MinThreads, "\"CpuThreads\" >= {0}", NpgsqlDbType.Integer);
        Add(q.MinMemoryBytes, "\"MemoryBytes\" >= {0}", NpgsqlDbType.Bigint);
        Add(q.Cpu is null ? null : (cpuModels ?? throw new ArgumentNullException(nameof(cpuModels))).ToArray(), "\"CpuModel\" = ANY({0})", NpgsqlDbType.Array | NpgsqlDbType.Text);
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

    /// <summary>
    /// The distinct CPU models whose text contains the parameter "cpu" (case-insensitive): a loose
    /// index scan over "IX_Machines_CpuModel_Id" (one probe per distinct model, not one per machine),
    /// then ILIKE on those few values only. The column is "Value" as EF's SqlQueryRaw expects.
    /// </summary>
    public const string CpuModelsMatchingSql = """
        WITH RECURSIVE m(v) AS (
            SELECT min("CpuModel") FROM "Machines"
            UNION ALL
            SELECT (SELECT min("CpuModel") FROM "Machines" WHERE "CpuModel" > m.v) FROM m WHERE m.v IS NOT NULL)
        SELECT v AS "Value" FROM m WHERE v ILIKE @cpu
        """;

    public static NpgsqlParameter CpuPattern(string cpu) => new("cpu", NpgsqlDbType.Text) { Value = "%" + EscapeLike(cpu) + "%" };

    private static string EscapeLike(string text) => text.Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_");
}
