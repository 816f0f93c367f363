using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Core.Redfish.Models;

/// <summary>A reference to another resource: <c>{ "@odata.id": "/redfish/v1/..." }</c>.</summary>
public sealed record ODataLink([property: JsonPropertyName("@odata.id")] string? ODataId);

public sealed record ResourceStatus(string? State, string? Health);

/// <summary>
/// Fields every Redfish resource carries. Properties are nullable throughout: vendors omit
/// optional ones freely, and a missing fact is better than a failed inventory.
/// </summary>
public abstract record RedfishResource
{
    [JsonPropertyName("@odata.id")]
    public string? ODataId { get; init; }

    [JsonPropertyName("@odata.type")]
    public string? ODataType { get; init; }

    [JsonPropertyName("@odata.etag")]
    public string? ODataEtag { get; init; }

    public string? Id { get; init; }
    public string? Name { get; init; }
    public ResourceStatus? Status { get; init; }

    /// <summary>Absent means "slot present, nothing in it" (empty DIMM slot, empty drive bay).</summary>
    [JsonIgnore]
    public bool IsAbsent => string.Equals(Status?.State, "Absent", StringComparison.OrdinalIgnoreCase);
}

public sealed record ResourceCollection : RedfishResource
{
    public IReadOnlyList<ODataLink>? Members { get; init; }

    [JsonPropertyName("Members@odata.count")]
    public long? MembersCount { get; init; }

    /// <summary>Large collections may be paged.</summary>
    [JsonPropertyName("Members@odata.nextLink")]
    public string? NextLink { get; init; }
}

/// <summary>
/// A navigation property that is either an array of links (older schemas, e.g.
/// ComputerSystem.PCIeDevices) or a single link to a collection (newer ones).
/// </summary>
[JsonConverter(typeof(LinksOrCollectionConverter))]
public sealed record LinksOrCollection(IReadOnlyList<ODataLink> Items, ODataLink? Collection);

internal sealed class LinksOrCollectionConverter : JsonConverter<LinksOrCollection>
{
    public override LinksOrCollection? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        return reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.StartArray => new LinksOrCollection(JsonSerializer.Deserialize<List<ODataLink>>(ref reader, options) ?? [], null),
            JsonTokenType.StartObject => new LinksOrCollection([], JsonSerializer.Deserialize<ODataLink>(ref reader, options)),
            _ => throw new JsonException($"Expected a link or an array of links, found {reader.TokenType}."),
        };
    }

    public override void Write(Utf8JsonWriter writer, LinksOrCollection value, JsonSerializerOptions options)
    {
        if (value.Collection is not null)
            JsonSerializer.Serialize(writer, value.Collection, options);
        else
            JsonSerializer.Serialize(writer, value.Items, options);
    }
}

/// <summary>@Redfish.ActionInfo: the parameters an action accepts, when not inlined in the action.</summary>
public sealed record ActionInfo : RedfishResource
{
    public IReadOnlyList<ActionParameter>? Parameters { get; init; }
}

public sealed record ActionParameter(string? Name, bool? Required, string? DataType, IReadOnlyList<string>? AllowableValues);

/// <summary>A Redfish error body: <c>{ "error": { "code", "message", "@Message.ExtendedInfo": [...] } }</c>.</summary>
internal sealed record RedfishErrorBody([property: JsonPropertyName("error")] RedfishError? Error);

internal sealed record RedfishError(
    [property: JsonPropertyName("code")] string? Code,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("@Message.ExtendedInfo")] IReadOnlyList<RedfishMessage>? ExtendedInfo);

internal sealed record RedfishMessage(string? MessageId, string? Message, string? Resolution);
