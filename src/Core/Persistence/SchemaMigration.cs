using System.Reflection;
using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.Persistence;

/// <summary>One versioned schema change. Versions are applied in order and never edited once shipped.</summary>
public sealed record SchemaMigration(string Version, string Name, string Sql)
{
    public string Checksum => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));

    /// <summary>
    /// Every migration: the embedded Migrations/NNNN_name.sql files plus Quartz's own job-store
    /// script (taken from the Quartz assembly so its schema matches the library version exactly).
    /// </summary>
    public static IReadOnlyList<SchemaMigration> All { get; } = Load();

    private static List<SchemaMigration> Load()
    {
        var assembly = typeof(SchemaMigration).Assembly;
        var migrations = new List<SchemaMigration>();
        const string prefix = "Portal.Core.Persistence.Migrations.";
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix) && n.EndsWith(".sql")))
        {
            var file = resource[prefix.Length..^4];
            var separator = file.IndexOf('_');
            migrations.Add(new SchemaMigration(file[..separator], file[(separator + 1)..], Read(assembly, resource)));
        }
        migrations.Add(QuartzJobStore());
        return migrations.OrderBy(m => m.Version, StringComparer.Ordinal).ToList();
    }

    internal const string QuartzTablePrefix = "qrtz_";

    private static SchemaMigration QuartzJobStore()
    {
        var quartz = typeof(Quartz.IJob).Assembly;
        var script = Read(quartz, "Quartz.Impl.AdoJobStore.Schema.create_postgres.sql");
        // The script is a format string: {0} = table prefix, {1} = prefix used in index names.
        var sql = script.Replace("{0}", QuartzTablePrefix).Replace("{1}", QuartzTablePrefix);
        return new SchemaMigration("0002", "quartz_job_store", sql);
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Missing embedded migration resource {resource}.");
        return new StreamReader(stream).ReadToEnd();
    }
}
