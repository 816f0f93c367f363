using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Users;

namespace Portal.Tests.Support;

/// <summary>Real users' ids for component tests, whose Core rules and audit need a user that exists.</summary>
public static class PortalUsers
{
    public static async Task<string> UserIdAsync(this PortalFactory factory, string email = PortalFactory.AdminEmail)
    {
        using var scope = factory.Services.CreateScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync(email);
        return user?.Id ?? throw new InvalidOperationException($"No user {email}.");
    }

    public static async Task<IList<string>> RolesOfAsync(this PortalFactory factory, string email)
    {
        using var scope = factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        return await users.GetRolesAsync((await users.FindByEmailAsync(email))!);
    }
}
