namespace Portal.Core.Bmcs;

/// <summary>SHA-256 certificate thumbprints as stored and compared: 64 upper-case hex digits.</summary>
public static class CertificateThumbprint
{
    /// <summary>
    /// The stored form of a thumbprint typed or pasted by a person (any case, colons or spaces
    /// between bytes, as browsers and openssl print them), or null when it is not one.
    /// </summary>
    public static string? Normalize(string? text)
    {
        if (text is null) return null;
        var hex = text.Trim().Replace(":", "").Replace(" ", "").ToUpperInvariant();
        return hex.Length == 64 && hex.All(Uri.IsHexDigit) ? hex : null;
    }
}
