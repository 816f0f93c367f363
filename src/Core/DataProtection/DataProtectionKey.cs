namespace Portal.Core.DataProtection;

/// <summary>One ASP.NET Core Data Protection key ring entry, shared by every Portal instance.</summary>
public sealed class DataProtectionKey
{
    public int Id { get; set; }
    public string FriendlyName { get; set; } = "";
    public string Xml { get; set; } = "";
}
