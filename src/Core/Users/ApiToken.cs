using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.Users;

/// <summary>
/// A personal API token. Only a SHA-256 hash of the secret is stored; the secret itself is
/// shown once when created. The prefix (first characters) lets people tell tokens apart.
/// </summary>
public sealed class ApiToken
{
    public const string SecretPrefix = "pt_";

    public long Id { get; private set; }
    public string UserId { get; private set; } = "";
    public AppUser? User { get; private set; }
    public string Name { get; private set; } = "";
    public string Prefix { get; private set; } = "";
    public byte[] SecretHash { get; private set; } = [];
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? ExpiresAt { get; private set; }
    public DateTimeOffset? LastUsedAt { get; private set; }
    public DateTimeOffset? RevokedAt { get; private set; }

    private ApiToken() { }

    /// <summary>Creates a token and returns it with the one-time secret.</summary>
    public static (ApiToken Token, string Secret) Create(string userId, string name, DateTimeOffset now, DateTimeOffset? expiresAt)
    {
        name = name.Trim();
        if (name.Length is 0 or > 100) throw new ArgumentException("A token needs a name of 1 to 100 characters.", nameof(name));
        if (expiresAt is { } e && e <= now) throw new ArgumentException("The expiry must be in the future.", nameof(expiresAt));
        var secret = SecretPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var token = new ApiToken
        {
            UserId = userId,
            Name = name,
            Prefix = secret[..11],
            SecretHash = Hash(secret),
            CreatedAt = now,
            ExpiresAt = expiresAt,
        };
        return (token, secret);
    }

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public bool IsActive(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);

    public void Revoke(DateTimeOffset now)
    {
        if (RevokedAt is not null) throw new InvalidOperationException("The token is already revoked.");
        RevokedAt = now;
    }

    public void MarkUsed(DateTimeOffset now) => LastUsedAt = now;
}
