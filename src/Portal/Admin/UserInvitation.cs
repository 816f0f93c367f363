using System.Security.Cryptography;

namespace Portal.Admin;

internal static class UserInvitation
{
    /// <summary>A one-time password meeting the password rules; the user replaces it at first sign-in.</summary>
    public static string NewOneTimePassword() =>
        "Inv-" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).Replace('+', 'x').Replace('/', 'y') + "7";
}
