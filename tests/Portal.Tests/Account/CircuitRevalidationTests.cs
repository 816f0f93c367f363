using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Account;
using Portal.Core.Users;
using Portal.Tests.Support;

namespace Portal.Tests.Account;

/// <summary>What an open circuit's minute-wise check of its user decides.</summary>
public sealed class CircuitRevalidationTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task AnUnchangedUserStaysSignedIn() =>
        Assert.True(await CheckAfterAsync("same@test.local", (_, _) => Task.CompletedTask));

    [Fact]
    public async Task ARemovedRoleEndsTheCircuitsSignIn() =>
        Assert.False(await CheckAfterAsync("demoted@test.local", (users, user) => users.RemoveFromRoleAsync(user, Roles.Operator)));

    [Fact]
    public async Task ALockedOutUserStaysSignedIn() =>
        // A lockout only refuses password sign-in: anyone who knows the email can cause one.
        Assert.True(await CheckAfterAsync("locked-circuit@test.local", (users, user) => users.SetLockoutEndDateAsync(user, DateTimeOffset.UtcNow.AddHours(1))));

    [Fact]
    public async Task ADisabledUserIsSignedOut() =>
        Assert.False(await CheckAfterAsync("disabled-circuit@test.local", (users, user) =>
        {
            user.Disable(DateTimeOffset.UtcNow);
            return users.UpdateAsync(user);
        }));

    [Fact]
    public async Task AUserWithEveryRoleRemovedIsSignedOut() =>
        Assert.False(await CheckAfterAsync("roleless-circuit@test.local", (users, user) => users.RemoveFromRolesAsync(user, [Roles.User, Roles.Operator])));

    [Fact]
    public async Task ADeletedUserIsSignedOut() =>
        Assert.False(await CheckAfterAsync("deleted@test.local", (users, user) => users.DeleteAsync(user)));

    /// <summary>Signs the user in (the principal a circuit starts with), changes them, then asks the check.</summary>
    private async Task<bool> CheckAfterAsync(string email, Func<UserManager<AppUser>, AppUser, Task> change)
    {
        var created = await factory.CreateUserAsync(email, "Circuit-Passw0rd", Roles.User, Roles.Operator);
        using var scope = factory.Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = (await users.FindByIdAsync(created.Id))!;
        var principal = await scope.ServiceProvider.GetRequiredService<SignInManager<AppUser>>().CreateUserPrincipalAsync(user);
        await change(users, user);
        var options = scope.ServiceProvider.GetRequiredService<IOptions<IdentityOptions>>().Value;
        return await RevalidatingUserState.IsStillValidAsync(users, principal, options);
    }
}
