using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Credentials;

/// <summary>
/// Limits for an uploaded vendor credential list (config section <c>CredentialImport</c>).
/// The file limits keep a mistaken upload (a disk image, a log) from being parsed at all;
/// the field limits match the database columns and what real BMCs accept.
/// </summary>
public sealed class CredentialListLimits
{
    public const string SectionName = "CredentialImport";

    [Range(1, 512L * 1024 * 1024)]
    public long MaxBytes { get; set; } = 5 * 1024 * 1024;

    [Range(1, 10_000_000)]
    public int MaxRows { get; set; } = 20_000;

    public int MaxUsernameLength { get; set; } = 64;
    public int MaxPasswordLength { get; set; } = 128;
    public int MaxSerialLength { get; set; } = 64;
    public int MaxVendorLength { get; set; } = 64;
    public int MaxNotesLength { get; set; } = 256;
}
