using System.Text.Json.Serialization;

namespace Portal.Core.Redfish.Models;

/// <summary>/redfish/v1 — readable without authentication, so it is also the probe.</summary>
public sealed record ServiceRoot : RedfishResource
{
    public string? RedfishVersion { get; init; }

    [JsonPropertyName("UUID")]
    public string? Uuid { get; init; }

    public string? Vendor { get; init; }
    public string? Product { get; init; }
    public ODataLink? Systems { get; init; }
    public ODataLink? Chassis { get; init; }
    public ODataLink? Managers { get; init; }
    public ODataLink? SessionService { get; init; }
    public ODataLink? AccountService { get; init; }
    public ODataLink? EventService { get; init; }
    public ServiceRootLinks? Links { get; init; }
}

public sealed record ServiceRootLinks(ODataLink? Sessions);

public sealed record SessionService : RedfishResource
{
    public bool? ServiceEnabled { get; init; }
    public ODataLink? Sessions { get; init; }
}
