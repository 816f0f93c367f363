using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Portal.Account;
using Portal.Core.Reservations;
using Portal.Core.Users;

namespace Portal.Tests.Support;

/// <summary>
/// Personal API tokens for tests of /api/v1. The profile page is interactive now (its HTML over HTTP
/// is only the shell), so a signed-in browser's token is made by the same code the page runs
/// (<see cref="PersonalTokens"/>) for the person that browser signed in as; ProfileTests drive the page itself.
/// </summary>
public static class ApiTokens
{
    private static readonly ConditionalWeakTable<HttpClient, SignedIn> Sessions = new();

    private sealed record SignedIn(PortalFactory Factory, string Email);

    /// <summary>Remembers who <paramref name="browser"/> signed in as (called by SignedInAsync).</summary>
    internal static void Remember(HttpClient browser, PortalFactory factory, string email) =>
        Sessions.AddOrUpdate(browser, new SignedIn(factory, email));

    public static async Task<string> CreateTokenAsync(this HttpClient browser, string name)
    {
        if (!Sessions.TryGetValue(browser, out var session))
            throw new InvalidOperationException("Make the browser with SignedInAsync: a token belongs to the person signed in.");
        return await session.Factory.CreateTokenAsync(session.Email, name);
    }

    public static async Task<string> CreateTokenAsync(this PortalFactory factory, string email, string name)
    {
        using var scope = factory.Services.CreateScope();
        var user = await scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>().FindByEmailAsync(email)
            ?? throw new InvalidOperationException($"No user {email}.");
        var (outcome, secret) = await scope.ServiceProvider.GetRequiredService<PersonalTokens>()
            .CreateAsync(name, null, new Requester(user.Id, email, IsOperator: false));
        Assert.True(outcome.Succeeded, outcome.Message);
        return secret!;
    }

    /// <summary>A client that calls the API with <paramref name="token"/>.</summary>
    public static HttpClient Api(this PortalFactory factory, string token)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
