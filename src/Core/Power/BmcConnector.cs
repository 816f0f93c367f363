using Portal.Core.Bmcs;
using Portal.Core.Credentials;
using Portal.Core.Redfish;

namespace Portal.Core.Power;

/// <summary>Logs in to a machine's BMC with its stored (encrypted) credentials and pinned certificate.</summary>
public sealed class BmcConnector(RedfishClientFactory redfish, CredentialProtector protector)
{
    public async Task<RedfishClient> ConnectAsync(Bmc bmc, CancellationToken ct)
    {
        if (!bmc.HasCredentials)
            throw new RedfishException(RedfishErrorKind.AuthFailed, $"{bmc.Address}:{bmc.Port}", null,
                "the portal has no credentials for this BMC (upload its vendor list or enter them by hand)");
        var endpoint = new BmcEndpoint(bmc.Address, bmc.Port, bmc.UseHttps);
        return await redfish.ConnectAsync(endpoint, TlsPolicy.PinOnFirstUse(bmc.PinnedCertificateSha256),
            new BmcCredential(bmc.Username!, protector.Unprotect(bmc.EncryptedPassword!)), ct);
    }

    /// <summary>A sentence for people: what kind of trouble, then the client's own detail.</summary>
    public static string Explain(RedfishException e) => e.Kind switch
    {
        RedfishErrorKind.Unreachable => $"The BMC could not be reached. {e.Message}",
        RedfishErrorKind.Timeout => $"The BMC did not answer in time. {e.Message}",
        RedfishErrorKind.AuthFailed => $"The BMC refused the portal's credentials. {e.Message}",
        RedfishErrorKind.TlsCertificateChanged => $"The BMC presented a different certificate than the pinned one. {e.Message}",
        RedfishErrorKind.TlsUntrusted => $"The BMC's certificate is not trusted. {e.Message}",
        RedfishErrorKind.MalformedResponse => $"The BMC answered with something that is not valid Redfish. {e.Message}",
        RedfishErrorKind.ActionRejected => $"The BMC refused the action. {e.Message}",
        _ => $"The BMC reported an error. {e.Message}",
    };
}
