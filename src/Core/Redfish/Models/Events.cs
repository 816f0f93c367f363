namespace Portal.Core.Redfish.Models;

/// <summary>/redfish/v1/EventService: where a BMC offers its events (DSP0266 "Eventing").</summary>
public sealed record EventService : RedfishResource
{
    public bool? ServiceEnabled { get; init; }

    /// <summary>The server-sent event stream (text/event-stream of Event resources), when the BMC has one.</summary>
    public string? ServerSentEventUri { get; init; }
}

/// <summary>One Event resource as a BMC sends it: a batch of event records.</summary>
public sealed record RedfishEvent(IReadOnlyList<EventRecord>? Events);

/// <summary>
/// One event record. <see cref="MessageId"/> is "Registry.Major.Minor[.Errata].Key", e.g.
/// "ResourceEvent.1.3.0.ResourcePoweredOn"; older services send only an <see cref="EventType"/>.
/// </summary>
public sealed record EventRecord(string? EventType, string? MessageId, ODataLink? OriginOfCondition)
{
    /// <summary>The message key (last part of the MessageId), e.g. "ResourcePoweredOn".</summary>
    public string? MessageKey => MessageId is { Length: > 0 } id ? id[(id.LastIndexOf('.') + 1)..] : null;
}
