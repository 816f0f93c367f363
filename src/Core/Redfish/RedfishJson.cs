using System.Text.Json;
using System.Text.Json.Serialization;

namespace Portal.Core.Redfish;

internal static class RedfishJson
{
    /// <summary>
    /// Case-sensitive like the schema; numbers-as-strings tolerated because some BMC firmware
    /// quotes them. Anything else that does not fit the type is a malformed response.
    /// </summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General)
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        MaxDepth = 64,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
