namespace Portal.Core.Redfish;

/// <summary>Where a BMC's Redfish service listens.</summary>
public sealed record BmcEndpoint(string Host, int Port = 443, bool UseHttps = true)
{
    public Uri BaseUri => new UriBuilder(UseHttps ? "https" : "http", Host, Port).Uri;

    /// <summary>The key the per-BMC concurrency limit is shared on.</summary>
    public string Key => $"{Host.ToLowerInvariant()}:{Port}";

    public override string ToString() => Key;

    /// <summary>Parses "host", "host:port" or "https://host:port".</summary>
    public static BmcEndpoint Parse(string address)
    {
        var text = address.Contains("://", StringComparison.Ordinal) ? address : "https://" + address;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http"))
            throw new FormatException($"'{address}' is not a BMC address (expected host, host:port or https://host:port).");
        return new BmcEndpoint(uri.Host, uri.Port, uri.Scheme == "https");
    }
}

/// <summary>BMC login. Never printed: records would otherwise show the password in logs.</summary>
public sealed record BmcCredential(string Username, string Password)
{
    public override string ToString() => $"{Username} / ***";
}

public enum TlsMode
{
    /// <summary>Normal certificate validation (chain and host name).</summary>
    Verify,

    /// <summary>
    /// Accept whatever certificate the BMC shows the first time (BMCs ship self-signed
    /// certificates), then insist on exactly that one. The caller stores the thumbprint.
    /// </summary>
    PinOnFirstUse,
}

/// <summary>A BMC's TLS policy; <paramref name="PinnedSha256"/> is the stored thumbprint (hex), if any.</summary>
public sealed record TlsPolicy(TlsMode Mode, string? PinnedSha256 = null)
{
    public static TlsPolicy Verify { get; } = new(TlsMode.Verify);

    public static TlsPolicy PinOnFirstUse(string? pinnedSha256 = null) => new(TlsMode.PinOnFirstUse, pinnedSha256);
}
