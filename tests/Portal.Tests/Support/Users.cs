using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Users;

namespace Portal.Tests.Support;

public static class TestUsers
{
    /// <summary>Creates a user who can sign in straight away (no must-change-password).</summary>
    public static async Task<AppUser> CreateUserAsync(this PortalFactory factory, string email, string password, params string[] roles)
    {
        using var scope = factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = email };
        var result = await users.CreateAsync(user, password);
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Description)));
        foreach (var role in roles) await users.AddToRoleAsync(user, role);
        return user;
    }
}
