using System.Text.Json.Nodes;

namespace Portal.Lab.Redfish;

/// <summary>
/// Redfish error bodies (DSP0266 "Error responses"): a GeneralError wrapper whose
/// @Message.ExtendedInfo carries Base registry messages a client can act on.
/// </summary>
internal static class RedfishErrors
{
    private const string Registry = "Base.1.16";

    public static RedfishReply Error(int status, string messageId, string message, string resolution, params string[] args)
    {
        var info = new JsonObject
        {
            ["@odata.type"] = "#Message.v1_1_2.Message",
            ["MessageId"] = $"{Registry}.{messageId}",
            ["Message"] = message,
            ["MessageArgs"] = new JsonArray(args.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray()),
            ["MessageSeverity"] = "Critical",
            ["Severity"] = "Critical",
            ["Resolution"] = resolution,
        };
        var body = new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = $"{Registry}.GeneralError",
                ["message"] = "A general error has occurred. See ExtendedInfo for more information.",
                ["@Message.ExtendedInfo"] = new JsonArray(info),
            },
        };
        return new RedfishReply(status, body);
    }

    public static RedfishReply NotFound(string uri) =>
        Error(404, "ResourceMissingAtURI", $"The resource at the URI '{uri}' was not found.",
            "Place a valid resource at the URI or correct the URI and resubmit the request.", uri);

    public static RedfishReply MethodNotAllowed(string method, string uri, string allow) =>
        Error(405, "OperationNotAllowed", $"The HTTP method '{method}' is not allowed on '{uri}'.",
            "None.", method, uri) with { Allow = allow };

    public static RedfishReply Unauthorized() =>
        Error(401, "NoValidSession", "There is no valid session established with the implementation.",
            "Establish a session before attempting any operations.") with { Challenge = true };

    public static RedfishReply LockedOut() =>
        Error(401, "AccessDenied", "While attempting to establish a connection, the service denied access: the account is temporarily locked after repeated failed logins.",
            "Wait for the lockout to end, then retry with correct credentials.", "/redfish/v1") with { Challenge = true };

    public static RedfishReply MalformedJson() =>
        Error(400, "MalformedJSON", "The request body submitted was malformed JSON and could not be parsed by the receiving service.",
            "Ensure that the request body is valid JSON and resubmit the request.");

    public static RedfishReply ActionParameterMissing(string action, string parameter) =>
        Error(400, "ActionParameterMissing", $"The action '{action}' requires the parameter '{parameter}' to be present in the request body.",
            "Supply the action with the required parameter in the request body when the request is resubmitted.", action, parameter);

    public static RedfishReply ActionParameterValueNotInList(string value, string parameter, string action) =>
        Error(400, "ActionParameterValueNotInList", $"The value '{value}' for the parameter '{parameter}' in the action '{action}' is not in the list of acceptable values.",
            "Choose a value from the enumeration list that the implementation can support and resubmit the request if the operation failed.", value, parameter, action);

    public static RedfishReply PropertyValueNotInList(string value, string property) =>
        Error(400, "PropertyValueNotInList", $"The value '{value}' for the property '{property}' is not in the list of acceptable values.",
            "Choose a value from the enumeration list that the implementation can support and resubmit the request if the operation failed.", value, property);

    public static RedfishReply PropertyValueTypeError(string value, string property) =>
        Error(400, "PropertyValueTypeError", $"The value '{value}' for the property '{property}' is of a different type than the property can accept.",
            "Correct the value for the property in the request body and resubmit the request if the operation failed.", value, property);

    public static RedfishReply PropertyValueFormatError(string value, string property) =>
        Error(400, "PropertyValueFormatError", $"The value '{value}' for the property '{property}' is of a different format than the property can accept.",
            "Correct the value for the property in the request body and resubmit the request if the operation failed.", value, property);

    public static RedfishReply PropertyUnknown(string property) =>
        Error(400, "PropertyUnknown", $"The property '{property}' is not in the list of valid properties for the resource.",
            "Remove the unknown property from the request body and resubmit the request if the operation failed.", property);

    public static RedfishReply PropertyNotWritable(string property) =>
        Error(400, "PropertyNotWritable", $"The property '{property}' is a read-only property and cannot be assigned a value.",
            "Remove the property from the request body and resubmit the request if the operation failed.", property);

    public static RedfishReply PropertyMissing(string property) =>
        Error(400, "CreateFailedMissingReqProperties", $"The create operation failed because the required property '{property}' was missing from the request.",
            "Correct the body to include the required property with a valid value and resubmit the request if the operation failed.", property);

    public static RedfishReply PreconditionFailed() =>
        Error(412, "PreconditionFailed", "The ETag supplied did not match the ETag required to change this resource.",
            "Try the operation again using the appropriate ETag.");

    public static RedfishReply PreconditionRequired() =>
        Error(428, "PreconditionRequired", "A precondition header or annotation is required to change the resource.",
            "Try the request again with an If-Match header carrying the resource's current ETag.");

    public static RedfishReply SessionLimitExceeded() =>
        Error(503, "SessionLimitExceeded", "The session establishment failed due to the number of simultaneous sessions exceeding the limit of the implementation.",
            "Reduce the number of other sessions before trying to establish the session or increase the limit of simultaneous sessions, if supported.") with { RetryAfter = "5" };

    public static RedfishReply InternalError() =>
        Error(500, "InternalError", "The request failed due to an internal service error. The service is still operational.",
            "Resubmit the request. If the problem persists, consider resetting the service.");

    public static RedfishReply ServiceTemporarilyUnavailable() =>
        Error(503, "ServiceTemporarilyUnavailable", "The service is temporarily unavailable. Retry in 1 seconds.",
            "Wait for the indicated retry duration and retry the operation.", "1") with { RetryAfter = "1" };
}
