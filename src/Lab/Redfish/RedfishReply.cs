using System.Text.Json.Nodes;

namespace Portal.Lab.Redfish;

/// <summary>What a Redfish resource handler answers, before faults and serialisation.</summary>
internal sealed record RedfishReply(int Status, JsonNode? Body = null)
{
    public string? Location { get; init; }
    public string? Allow { get; init; }
    public string? AuthToken { get; init; }
    public string? RetryAfter { get; init; }
    public bool Challenge { get; init; }
    /// <summary>Send an ETag header computed from the body (GET/PATCH of a resource).</summary>
    public bool WithETag { get; init; }

    /// <summary>Answer with the BMC's server-sent event stream instead of a resource.</summary>
    public bool EventStream { get; init; }

    public static RedfishReply Ok(JsonNode body) => new(200, body) { WithETag = true };
    public static readonly RedfishReply NoContent = new(204);
    public static readonly RedfishReply Stream = new(200) { EventStream = true };
}
