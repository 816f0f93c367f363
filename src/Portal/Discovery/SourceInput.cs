using Portal.Core.Credentials;
using Portal.Core.Discovery;
using Portal.Core.Discovery.Leases;

namespace Portal.Discovery;

/// <summary>
/// The "add source" form. Each check answers for one field, so the page shows the reason next to
/// the field it is about; <see cref="Create"/> is only called once <see cref="Errors"/> is empty.
/// </summary>
internal sealed class SourceInput
{
    public DiscoverySourceKind Kind { get; set; } = DiscoverySourceKind.DnsmasqLeases;
    public string Value { get; set; } = "";
    public int? Port { get; set; } = 443;
    public bool UseHttps { get; set; } = true;
    public string Username { get; set; } = "";
    public string Password { get; set; } = "";

    public static string Describe(DiscoverySourceKind kind) => kind switch
    {
        DiscoverySourceKind.DnsmasqLeases => "dnsmasq lease file",
        DiscoverySourceKind.IscLeases => "ISC dhcpd.leases",
        DiscoverySourceKind.Cidr => "CIDR range",
        DiscoverySourceKind.Address => "Single address",
        _ => kind.ToString(),
    };

    /// <summary>Field name (nameof a property) → what is wrong with it; empty when the form is fine.</summary>
    public Dictionary<string, string> Errors(LeaseFiles leaseFiles)
    {
        var errors = new Dictionary<string, string>();
        var value = Value.Trim();
        if (!Enum.IsDefined(Kind)) errors[nameof(Kind)] = "Choose the kind of source.";
        if (value.Length is 0 or > 1024) errors[nameof(Value)] = "Give a path, range or address (at most 1024 characters).";
        else if (ValueError(Kind, value, leaseFiles) is { } valueError) errors[nameof(Value)] = valueError;
        if (Port is not (>= 1 and <= 65535)) errors[nameof(Port)] = "The port must be a number from 1 to 65535.";
        if (Username.Trim().Length > 64) errors[nameof(Username)] = "At most 64 characters.";
        if (Password.Length > 128) errors[nameof(Password)] = "At most 128 characters.";
        if (Username.Trim().Length == 0 && Password.Length > 0) errors[nameof(Username)] = "Give both a username and a password, or neither.";
        if (Username.Trim().Length > 0 && Password.Length == 0) errors[nameof(Password)] = "Give both a username and a password, or neither.";
        return errors;
    }

    private static string? ValueError(DiscoverySourceKind kind, string value, LeaseFiles leaseFiles) => kind switch
    {
        DiscoverySourceKind.Cidr when !CidrRange.TryParse(value, out var range, out var error)
                                      || !range.TryExpand(CidrRange.DefaultMaxAddresses, out _, out error) => $"Not a usable range: {error}",
        DiscoverySourceKind.Address when Uri.CheckHostName(value) == UriHostNameType.Unknown => $"Not a host name or IP address: {value}",
        DiscoverySourceKind.DnsmasqLeases or DiscoverySourceKind.IscLeases => leaseFiles.PathProblem(value),
        _ => null,
    };

    /// <summary>The source to save; the password is encrypted here and never kept in the entity in plain text.</summary>
    public DiscoverySource Create(CredentialProtector protector, DateTimeOffset now)
    {
        var username = Username.Trim();
        return DiscoverySource.Create(Kind, Value.Trim(), Port!.Value, UseHttps, now,
            username.Length == 0 ? null : username, Password.Length == 0 ? null : protector.Protect(Password));
    }
}
