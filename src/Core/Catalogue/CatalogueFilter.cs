using System.Text;
using Npgsql;
using NpgsqlTypes;

namespace Portal.Core.Catalogue;

/// <summary>
/// The query's filters as one SQL WHERE clause over "Machines", written once and used by both the
/// result page and the facet counts. Every condition is a shape PostgreSQL can serve from the
/// indexes in migrations 0005/0006: equality/range on btree columns, array containment (@&gt;) on GIN.
/// Each condition is declared once with its SQL and the same test in C# (<see cref="Matches"/>), which
/// the facet cache applies to changed machines instead of counting again (migration 0020).
/// The CPU text is resolved to the models it matches inside the statement (an init plan over
/// <see cref="CpuModelsMatchingSql"/>): ILIKE costs a case-folding per row, while a fleet has only
/// a few dozen CPU models.
/// </summary>
internal sealed class CatalogueFilter
{
    private readonly List<string> conditions = [];
    private readonly List<Func<NpgsqlParameter>> parameters = [];
    private readonly List<Func<CountedMachine, bool?>> tests = [];
    private readonly Func<CountedMachine, bool> stateTest;

    public CatalogueFilter(CatalogueQuery q)
    {
        Add(q.Architecture, "\"Architecture\" = {0}", NpgsqlDbType.Varchar, m => m.Architecture == q.Architecture);
        Add(q.MinCores, "\"CpuCores\" >= {0}", NpgsqlDbType.Integer, m => m.CpuCores >= q.MinCores);
        Add(q.MinThreads, "\"CpuThreads\" >= {0}", NpgsqlDbType.Integer, m => m.CpuThreads >= q.MinThreads);
        Add(q.MinMemoryBytes, "\"MemoryBytes\" >= {0}", NpgsqlDbType.Bigint, m => m.MemoryBytes >= q.MinMemoryBytes);
        Add(q.Cpu is null ? null : CpuPattern(q.Cpu), $"\"CpuModel\" = ANY(ARRAY({CpuModelsMatchingSql.Replace("@cpu", "{0}")}))", NpgsqlDbType.Text,
            m => CpuMatches(m.CpuModel, q.Cpu!));
        Add(q.DiskKind is null ? null : new[] { q.DiskKind }, "\"DiskKinds\" @> {0}", NpgsqlDbType.Array | NpgsqlDbType.Text, m => Has(m.DiskKinds, [q.DiskKind!]));
        Add(q.MinStorageBytes, "\"DiskTotalBytes\" >= {0}", NpgsqlDbType.Bigint, m => m.DiskTotalBytes >= q.MinStorageBytes);
        Add(q.Gpu is null ? null : new[] { q.Gpu }, "\"GpuModels\" @> {0}", NpgsqlDbType.Array | NpgsqlDbType.Text, m => Has(m.GpuModels, [q.Gpu!]));
        Add(q.MinGpus, "\"GpuCount\" >= {0}", NpgsqlDbType.Integer, m => m.GpuCount >= q.MinGpus);
        Add(q.MinNicMbps, "\"NicMaxSpeedMbps\" >= {0}", NpgsqlDbType.Bigint, m => m.NicMaxSpeedMbps >= q.MinNicMbps);
        Add(q.Vendor, "\"Manufacturer\" = {0}", NpgsqlDbType.Varchar, m => m.Manufacturer == q.Vendor);
        Add(q.Model, "\"Model\" = {0}", NpgsqlDbType.Varchar, m => m.Model == q.Model);
        Add(q.Tags.Count == 0 ? null : q.Tags.ToArray(), "\"Tags\" @> {0}", NpgsqlDbType.Array | NpgsqlDbType.Text, m => Has(m.Tags, q.Tags));
        var states = q.States.Count == 0 ? null : q.States.Select(s => s.ToString()).ToArray();
        StateCondition = states is null ? "\"State\" <> 'Maintenance'" : AddParameter(states, NpgsqlDbType.Array | NpgsqlDbType.Text, "\"State\" = ANY({0})");
        stateTest = states is null ? m => m.State is not null && m.State != "Maintenance" : m => m.State is not null && states.Contains(m.State, StringComparer.Ordinal);
    }

    /// <summary>
    /// Whether the machine passes every condition but the state, as the SQL decides it; null when C#
    /// cannot be sure to decide the same (a CPU text or model outside ASCII: ILIKE folds case by the
    /// database's locale), and then the caller counts afresh.
    /// </summary>
    public bool? MatchesWithoutState(CountedMachine m)
    {
        var sure = true;
        foreach (var test in tests)
        {
            switch (test(m))
            {
                case false: return false;
                case null: sure = false; break;
            }
        }
        return sure ? true : null;
    }

    public bool MatchesState(CountedMachine m) => stateTest(m);

    /// <summary>Array containment (@&gt;): every wanted element is in the machine's list (NULL elements never match).</summary>
    private static bool Has(string?[]? list, IEnumerable<string> wanted) => list is not null && wanted.All(w => list.Contains(w, StringComparer.Ordinal));

    private static bool? CpuMatches(string? model, string text) =>
        model is null ? false
        : !Ascii.IsValid(model) || !Ascii.IsValid(text) ? null
        : model.Contains(text, StringComparison.OrdinalIgnoreCase);

    /// <summary>The state part on its own: facets count every state, so it is kept apart.</summary>
    public string StateCondition { get; }

    /// <summary>All filters but the state.</summary>
    public string WhereWithoutState => conditions.Count == 0 ? "TRUE" : string.Join(" AND ", conditions);

    public string Where => $"{WhereWithoutState} AND {StateCondition}";

    /// <summary>Fresh parameter objects for each command (Npgsql parameters belong to one command).</summary>
    public NpgsqlParameter[] Parameters() => parameters.Select(p => p()).ToArray();

    private void Add(object? value, string condition, NpgsqlDbType type, Func<CountedMachine, bool?> test)
    {
        if (value is null) return;
        conditions.Add(AddParameter(value, type, condition));
        tests.Add(test);
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
        SELECT v FROM m WHERE v ILIKE @cpu
        """;

    private static string CpuPattern(string cpu) => "%" + EscapeLike(cpu) + "%";

    private static string EscapeLike(string text) => text.Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_");
}
