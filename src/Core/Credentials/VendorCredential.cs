namespace Portal.Core.Credentials;

/// <summary>One row of a vendor credential list: the factory login of the BMC with this MAC.</summary>
public sealed class VendorCredential
{
    public long Id { get; private set; }
    public string Mac { get; private set; } = "";
    public string Username { get; private set; } = "";
    /// <summary>Data Protection ciphertext; the plain password never reaches the database.</summary>
    public string EncryptedPassword { get; private set; } = "";
    public string? Serial { get; private set; }
    public string? Vendor { get; private set; }
    public string? Notes { get; private set; }
    public DateTimeOffset ImportedAt { get; private set; }
    public string ImportedBy { get; private set; } = "";

    private VendorCredential() { }

    public static VendorCredential Create(string mac, string username, string encryptedPassword, string? serial, string? vendor, string? notes, DateTimeOffset now, string importedBy) => new()
    {
        Mac = mac, Username = username, EncryptedPassword = encryptedPassword, Serial = serial, Vendor = vendor, Notes = notes,
        ImportedAt = now, ImportedBy = importedBy,
    };

    public void Replace(string username, string encryptedPassword, string? serial, string? vendor, string? notes, DateTimeOffset now, string importedBy)
    {
        Username = username; EncryptedPassword = encryptedPassword; Serial = serial; Vendor = vendor; Notes = notes;
        ImportedAt = now; ImportedBy = importedBy;
    }
}
