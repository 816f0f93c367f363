using Microsoft.EntityFrameworkCore;
using Npgsql;
using Portal.Core.Persistence;
using Portal.Core.Tests.Persistence;
using Portal.TestSupport;

namespace Portal.Core.Tests.Users;

/// <summary>0014 makes the User role required; accounts that exist at the upgrade must keep working.</summary>
public sealed class UserAccessMigrationTests
{
    [Fact]
    public async Task EveryExistingAccountGetsTheUserRoleAndNobodyIsDisabled()
    {
        var cs = await TestPostgres.CreateDatabaseAsync();
        try
        {
            var before = SchemaMigration.All.Where(m => string.CompareOrdinal(m.Version, "0014") < 0).ToList();
            await TestDb.Migrator(cs).MigrateAsync(before, default);
            await ExecuteAsync(cs, """
                INSERT INTO "AspNetRoles" ("Id", "Name", "NormalizedName") VALUES ('r-op', 'Operator', 'OPERATOR');
                INSERT INTO "AspNetUsers" ("Id", "DisplayName", "CreatedAt", "MustChangePassword", "UserName", "EmailConfirmed", "PhoneNumberConfirmed", "TwoFactorEnabled", "LockoutEnabled", "AccessFailedCount")
                VALUES ('u-none', '', now(), false, 'none', true, false, false, true, 0), ('u-op', '', now(), false, 'op', true, false, false, true, 0);
                INSERT INTO "AspNetUserRoles" ("UserId", "RoleId") VALUES ('u-op', 'r-op');
                """);

            await TestDb.Migrator(cs).MigrateAsync();

            await using var db = TestDb.Context(cs);
            var users = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where r.Name == "User" select ur.UserId).ToListAsync();
            Assert.Equal(["u-none", "u-op"], users.Order());
            Assert.Equal(2, await db.Users.CountAsync(u => u.DisabledAt == null));
        }
        finally { await TestPostgres.DropDatabaseAsync(cs); }
    }

    private static async Task ExecuteAsync(string cs, string sql)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
