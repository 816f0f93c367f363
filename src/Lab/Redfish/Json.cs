using System.Text.Json.Nodes;

namespace Portal.Lab.Redfish;

/// <summary>Small builders for the shapes every Redfish resource shares.</summary>
internal static class Json
{
    public static JsonObject Link(string uri) => new() { ["@odata.id"] = uri };

    public static JsonArray Links(IEnumerable<string> uris) => new(uris.Select(u => (JsonNode?)Link(u)).ToArray());

    public static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

    public static JsonObject Status(string state = "Enabled", string health = "OK") =>
        new() { ["State"] = state, ["Health"] = health };

    public static JsonObject Resource(string uri, string type, string id, string name) => new()
    {
        ["@odata.id"] = uri,
        ["@odata.type"] = type,
        ["Id"] = id,
        ["Name"] = name,
    };

    /// <summary>A resource collection: "#XCollection.XCollection" with Members and Members@odata.count.</summary>
    public static JsonObject Collection(string uri, string schema, string name, IEnumerable<string> memberUris)
    {
        var members = Links(memberUris);
        return new JsonObject
        {
            ["@odata.id"] = uri,
            ["@odata.type"] = $"#{schema}.{schema}",
            ["Name"] = name,
            ["Members"] = members,
            ["Members@odata.count"] = members.Count,
        };
    }
}
