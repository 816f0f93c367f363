namespace Portal.Core.Users;

/// <summary>
/// The three roles. Every page and API call needs User; Admin implies Operator implies User in every
/// policy check. An account with no role at all is signed in but may use nothing.
/// </summary>
public static class Roles
{
    public const string Admin = "Admin";
    public const string Operator = "Operator";
    public const string User = "User";

    public static readonly IReadOnlyList<string> All = [Admin, Operator, User];

    /// <summary>The roles that include User: any of them lets someone use the portal.</summary>
    public static readonly string[] UserOrAbove = [Admin, Operator, User];

    public static bool IsKnown(string role) => All.Contains(role);
}
