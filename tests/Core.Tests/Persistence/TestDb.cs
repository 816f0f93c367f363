using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Portal.Core.Persistence;

namespace Portal.Core.Tests.Persistence;

/// <summary>Helpers to get a migrated database and a DbContext on it.</summary>
internal static class TestDb
{
    public static AppDbContext Context(string connectionString) =>
        new(new DbContextOptionsBuilder<AppDbContext>().UseNpgsql(connectionString).Options);

    public static SchemaMigrator Migrator(string connectionString) => new(connectionString, NullLogger<SchemaMigrator>.Instance);
}
