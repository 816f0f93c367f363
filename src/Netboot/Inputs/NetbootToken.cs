using System.Buffers.Text;
using System.Security.Cryptography;

namespace Portal.Netboot.Inputs;

/// <summary>
/// The per-deployment token that addresses its config and events. It goes into kernel command
/// lines and URLs, so it is restricted to URL-safe characters; 32 random bytes make it unguessable.
/// </summary>
public static class NetbootToken
{
    public const int MinLength = 22;
    public const int MaxLength = 128;

    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static bool IsWellFormed(string? token) =>
        token is { Length: >= MinLength and <= MaxLength } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
