using Microsoft.Extensions.Options;
using Portal.Core.DataProtection;
using Portal.Core.Persistence;
using Portal.Core.Users;

namespace Portal.Hosting;

internal static class HostingSetup
{
    public static void AddPortalLogging(this WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        // Structured JSON lines for real deployments; readable lines on a developer's terminal.
        if (builder.Environment.IsDevelopment() && builder.Configuration["Logging:Format"] != "json")
            builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; });
        else
            builder.Logging.AddJsonConsole(o => { o.IncludeScopes = true; o.TimestampFormat = "O"; });
    }

    public static void AddPortalOptions(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<PortalOptions>()
            .Bind(builder.Configuration.GetSection(PortalOptions.Section))
            .PostConfigure(o =>
            {
                o.AdminEmail ??= builder.Configuration["PORTAL_ADMIN_EMAIL"];
                o.AdminPassword ??= builder.Configuration["PORTAL_ADMIN_PASSWORD"];
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
    }

    public static void AddPortalDatabase(this WebApplicationBuilder builder)
    {
        var connectionString = builder.Configuration.GetConnectionString("Portal");
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new InvalidOperationException(
                "No database configured: set ConnectionStrings__Portal (or run `make run`, which starts a private PostgreSQL).");
        builder.Services.AddPortalPersistence(connectionString);
        builder.AddKeyRingProtection();
    }

    /// <summary>
    /// The key ring that encrypts BMC passwords and sign-in cookies is itself encrypted with a
    /// certificate from configuration (see <see cref="KeyRingCertificate"/>). Outside Development a
    /// Portal without one does not start: its database dump would be all an attacker needs.
    /// </summary>
    private static void AddKeyRingProtection(this WebApplicationBuilder builder)
    {
        var path = builder.Configuration[KeyRingCertificate.ConfigKey];
        if (!string.IsNullOrWhiteSpace(path))
        {
            builder.Services.ProtectKeyRingWith(path, builder.Configuration[KeyRingCertificate.PasswordConfigKey]);
            return;
        }
        if (!builder.Environment.IsDevelopment())
            throw new InvalidOperationException($"No key ring certificate configured ({KeyRingCertificate.ConfigKey}): BMC passwords and sign-in cookies would be readable by anyone holding a database dump. {KeyRingCertificate.HowToCreate}");
        Console.Error.WriteLine($"warning: no {KeyRingCertificate.ConfigKey}: the Data Protection key ring is stored unencrypted (Development only; `make run` creates one).");
    }

    /// <summary>Applies pending schema migrations before anything else touches the database.</summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app) =>
        await app.Services.GetRequiredService<SchemaMigrator>().MigrateAsync(app.Lifetime.ApplicationStopping);

    public static async Task BootstrapAdminAsync(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<PortalOptions>>().Value;
        await using var scope = app.Services.CreateAsyncScope();
        var bootstrapper = ActivatorUtilities.CreateInstance<AdminBootstrapper>(scope.ServiceProvider);
        await bootstrapper.EnsureAsync(options.AdminEmail, options.AdminPassword, Path.GetFullPath(options.DataDirectory), options.AdminMustChangePassword);
    }
}
