using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Persistence;
using Portal.Core.Users;

namespace Portal.Account;

/// <summary>
/// Authenticates `Authorization: Bearer pt_...` with a personal API token. Only the SHA-256 of the
/// secret is stored, so lookup is by hash. The principal carries the owner's current roles. A
/// disabled owner's tokens are refused; a lockout is not (it only stops password sign-in, which anyone
/// who knows the email can trigger). Every failure counts against the caller's address (<see cref="AuthFailureLimit"/>).
/// </summary>
internal sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AppDbContext db,
    IUserClaimsPrincipalFactory<AppUser> principals,
    AuthFailureLimit failures,
    TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var result = await AuthenticateTokenAsync();
        if (result.Failure is not null) failures.Failed(Context);
        return result;
    }

    private async Task<AuthenticateResult> AuthenticateTokenAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.Fail("Only Bearer API tokens are accepted.");
        var secret = header["Bearer ".Length..].Trim();
        if (!secret.StartsWith(ApiToken.SecretPrefix, StringComparison.Ordinal) || secret.Length > 200)
            return AuthenticateResult.Fail("Malformed API token.");

        var hash = ApiToken.Hash(secret);
        var token = await db.ApiTokens.Include(t => t.User).SingleOrDefaultAsync(t => t.SecretHash == hash, Context.RequestAborted);
        var now = clock.GetUtcNow();
        if (token?.User is null || !token.IsActive(now)) return AuthenticateResult.Fail("Unknown, revoked or expired API token.");
        if (token.User.IsDisabled) return AuthenticateResult.Fail("The token's owner is disabled.");

        // Write "last used" at most once a minute per token: tokens drive scripts that poll.
        if (token.LastUsedAt is null || now - token.LastUsedAt > TimeSpan.FromMinutes(1))
        {
            token.MarkUsed(now);
            await db.SaveChangesAsync(Context.RequestAborted);
        }

        var principal = await principals.CreateAsync(token.User);
        ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim("api_token_id", token.Id.ToString()));
        var identity = new ClaimsIdentity(principal.Claims, SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = Request.Headers.Authorization.Count == 0
            ? "Bearer"
            : "Bearer error=\"invalid_token\"";
        return Task.CompletedTask;
    }
}
