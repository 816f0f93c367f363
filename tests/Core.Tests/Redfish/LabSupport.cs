using Microsoft.Extensions.Options;
using Portal.Core.Redfish;
using Portal.Lab;

namespace Portal.Core.Tests.Redfish;

/// <summary>Starts one real lab fleet for a test class; each class uses its own 127.x range.</summary>
public abstract class LabFixture(LabOptions options) : IAsyncLifetime
{
    public LabFleet Lab { get; private set; } = null!;

    public async Task InitializeAsync() => Lab = await LabFleet.StartAsync(options);

    public async Task DisposeAsync() => await Lab.DisposeAsync();
}

internal static class LabClients
{
    /// <summary>Fast retries so fault tests finish quickly; everything else as in production.</summary>
    public static RedfishOptions TestOptions(Action<RedfishOptions>? change = null)
    {
        var options = new RedfishOptions
        {
            RequestTimeout = TimeSpan.FromSeconds(10),
            MaxRetries = 3,
            RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        };
        change?.Invoke(options);
        return options;
    }

    public static RedfishClientFactory Factory(RedfishOptions? options = null)
    {
        var wrapped = Options.Create(options ?? TestOptions());
        return new RedfishClientFactory(wrapped, new RedfishConcurrencyLimiter(wrapped));
    }

    public static BmcEndpoint EndpointOf(LabBmc bmc) => new(bmc.Address.ToString(), bmc.Port, bmc.Https);

    public static BmcCredential CredentialOf(LabBmc bmc) => new(bmc.Username, bmc.Password);

    public static Task<RedfishClient> ConnectAsync(this RedfishClientFactory factory, LabBmc bmc) =>
        factory.ConnectAsync(EndpointOf(bmc), TlsPolicy.PinOnFirstUse(), CredentialOf(bmc));

    public static string Sha256Of(LabBmc bmc) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bmc.Certificate!.RawData));
}
