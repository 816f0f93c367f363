using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Persistence;
using Portal.Core.Users;
using Portal.TestSupport;

namespace Portal.Core.Tests.Users;

public sealed class AdminBootstrapperTests : IAsyncLifetime
{
    private string connectionString = "";
    private readonly string dataDirectory = Directory.CreateTempSubdirectory("portal-bootstrap-").FullName;

    public async Task InitializeAsync()
    {
        connectionString = await TestPostgres.CreateDatabaseAsync();
        await using var provider = Services();
        await provider.GetRequiredService<SchemaMigrator>().MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        await TestPostgres.DropDatabaseAsync(connectionString);
        Directory.Delete(dataDirectory, true);
    }

    [Fact]
    public async Task WithoutConfiguredCredentialsAnAdminIsGeneratedOnceIntoAPrivateFile()
    {
        Assert.Equal(BootstrapResult.Generated, await EnsureAsync(null, null));
        Assert.Equal(BootstrapResult.AlreadyPresent, await EnsureAsync(null, null));

        var file = Path.Combine(dataDirectory, "initial-admin.txt");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        var lines = (await File.ReadAllLinesAsync(file)).ToDictionary(l => l.Split(": ")[0], l => l.Split(": ")[1]);
        Assert.Equal(AdminBootstrapper.DefaultAdminEmail, lines["email"]);

        await using var provider = Services();
        using var scope = provider.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var admin = Assert.Single(await users.GetUsersInRoleAsync(Roles.Admin));
        Assert.True(await users.CheckPasswordAsync(admin, lines["password"]));
        Assert.True(admin.MustChangePassword);
        Assert.Equal(1, await scope.ServiceProvider.GetRequiredService<AppDbContext>().AuditEvents.CountAsync(e => e.Action == "user.created"));
    }

    [Fact]
    public async Task AStaleFileIsReplacedByAPrivateOneBeforeThePasswordIsWritten()
    {
        var file = InitialAdminFile.PathIn(dataDirectory);
        await File.WriteAllTextAsync(file, "left over");
        File.SetUnixFileMode(file, (UnixFileMode)Convert.ToInt32("644", 8));

        Assert.Equal(BootstrapResult.Generated, await EnsureAsync(null, null));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.StartsWith("email: ", await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task TheFileIsDeletedAtStartOnceItsAdminHasChosenAPassword()
    {
        await EnsureAsync(null, null);
        await using (var provider = Services())
        using (var scope = provider.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            var admin = Assert.Single(await users.GetUsersInRoleAsync(Roles.Admin));
            admin.MustChangePassword = false; // chosen on another instance, say
            await users.UpdateAsync(admin);
        }

        Assert.Equal(BootstrapResult.AlreadyPresent, await EnsureAsync(null, null));
        Assert.False(File.Exists(InitialAdminFile.PathIn(dataDirectory)));
    }

    [Fact]
    public async Task AConfiguredPasswordMustBeChangedAtFirstSignInUnlessConfiguredOtherwise()
    {
        Assert.Equal(BootstrapResult.CreatedFromEnvironment, await EnsureAsync("env@example.com", "Configured-Passw0rd"));
        await using var provider = Services();
        using var scope = provider.CreateScope();
        Assert.True((await scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync("env@example.com"))!.MustChangePassword);
    }

    [Fact]
    public async Task ConfiguredCredentialsMakeTheFirstAdminAndNoFile()
    {
        Assert.Equal(BootstrapResult.CreatedFromEnvironment, await EnsureAsync("ops@example.com", "Configured-Passw0rd", givenPasswordMustChange: false));

        Assert.False(File.Exists(Path.Combine(dataDirectory, "initial-admin.txt")));
        await using var provider = Services();
        using var scope = provider.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var admin = await users.FindByEmailAsync("ops@example.com");
        Assert.NotNull(admin);
        Assert.False(admin.MustChangePassword);
        Assert.True(await users.IsInRoleAsync(admin, Roles.Admin));
        Assert.Equal(Roles.All.Count, await scope.ServiceProvider.GetRequiredService<AppDbContext>().Roles.CountAsync());
    }

    private async Task<BootstrapResult> EnsureAsync(string? email, string? password, bool givenPasswordMustChange = true)
    {
        await using var provider = Services();
        using var scope = provider.CreateScope();
        return await ActivatorUtilities.CreateInstance<AdminBootstrapper>(scope.ServiceProvider).EnsureAsync(email, password, dataDirectory, givenPasswordMustChange);
    }

    private ServiceProvider Services()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPortalPersistence(connectionString);
        services.AddIdentityCore<AppUser>().AddRoles<IdentityRole>().AddEntityFrameworkStores<AppDbContext>();
        return services.BuildServiceProvider();
    }
}
