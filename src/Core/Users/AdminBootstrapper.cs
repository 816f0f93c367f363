using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;
using Portal.Core.Auditing;
using Portal.Core.Persistence;

namespace Portal.Core.Users;

/// <summary>
/// Makes sure the roles exist and that there is an administrator. The first admin comes from
/// PORTAL_ADMIN_EMAIL / PORTAL_ADMIN_PASSWORD, or is generated once: its password is printed
/// once and written to {data}/initial-admin.txt (mode 600, deleted once the admin chose their own).
/// Either way the password must be changed at first login, unless the configuration says a given
/// one may stay (<c>givenPasswordMustChange</c> false).
/// </summary>
public sealed class AdminBootstrapper(
    UserManager<AppUser> users,
    RoleManager<IdentityRole> roles,
    AppDbContext db,
    TimeProvider clock,
    ILogger<AdminBootstrapper> logger)
{
    public const string DefaultAdminEmail = "admin@portal.local";

    public async Task<BootstrapResult> EnsureAsync(string? email, string? password, string dataDirectory, bool givenPasswordMustChange = true)
    {
        foreach (var role in Roles.All)
            if (!await roles.RoleExistsAsync(role))
                Check(await roles.CreateAsync(new IdentityRole(role)), $"create role {role}");

        var admins = await users.GetUsersInRoleAsync(Roles.Admin);
        if (admins.Count > 0)
        {
            // Chosen a password since (here or on another instance): the generated one is of no use any more.
            foreach (var done in admins.Where(a => !a.MustChangePassword))
                if (InitialAdminFile.DeleteIfFor(dataDirectory, done.Email))
                    logger.LogInformation("Deleted {File}: its administrator has chosen a password", InitialAdminFile.PathIn(dataDirectory));
            return BootstrapResult.AlreadyPresent;
        }

        var generated = string.IsNullOrEmpty(password);
        email = string.IsNullOrWhiteSpace(email) ? DefaultAdminEmail : email.Trim();
        password = generated ? GeneratePassword() : password!;
        var admin = new AppUser
        {
            UserName = email, Email = email, EmailConfirmed = true, DisplayName = "Administrator",
            MustChangePassword = generated || givenPasswordMustChange, CreatedAt = clock.GetUtcNow(),
        };
        Check(await users.CreateAsync(admin, password), $"create the first admin {email}");
        Check(await users.AddToRoleAsync(admin, Roles.Admin), "add the first admin to the Admin role");
        db.AuditEvents.Add(AuditEvent.Record(Actor.System, "user.created", "user", admin.Id, $"First administrator {email} created at start-up", clock.GetUtcNow()));
        await db.SaveChangesAsync();

        if (!generated) return BootstrapResult.CreatedFromEnvironment;

        var file = await InitialAdminFile.WriteAsync(dataDirectory, email, password);
        // Printed once on purpose, straight to the console rather than the log pipeline, so the
        // password does not end up in log storage.
        Console.WriteLine($"""

            ==== First administrator created ====
              email:    {email}
              password: {password}
              (also in {file}; you will be asked to change it at first login)
            =====================================

            """);
        logger.LogInformation("Generated the first administrator {Email}; credentials written to {File}", email, file);
        return BootstrapResult.Generated;
    }

    private static string GeneratePassword()
    {
        // Letters, digits and a symbol so every default Identity password rule is met.
        const string alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var chars = Enumerable.Range(0, 20).Select(_ => alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)]);
        return "P-" + new string(chars.ToArray()) + "-9a";
    }

    private static void Check(IdentityResult result, string what)
    {
        if (!result.Succeeded)
            throw new InvalidOperationException($"Could not {what}: {string.Join("; ", result.Errors.Select(e => e.Description))}");
    }
}

public enum BootstrapResult { AlreadyPresent, CreatedFromEnvironment, Generated }
