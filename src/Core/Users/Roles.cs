namespace Portal.Core.Users;

/// <summary>The three roles. Admin implies Operator implies User in every policy check.</summary>
public static class Roles
{
    public const string Admin = "Admin";
    public const string Operator = "Operator";
    public const string User = "User";

    public static readonly IReadOnlyList<string> All = [Admin, Operator, User];

    public static bool IsKnown(string role) => All.Contains(role);
}
