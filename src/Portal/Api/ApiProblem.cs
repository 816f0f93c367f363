using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.Reservations;

namespace Portal.Api;

/// <summary>
/// The API's one error shape: RFC 9457 problem details, served as application/problem+json, whose
/// <c>detail</c> says what was wrong in words a caller can act on. Endpoints return it through typed
/// results (<c>BadRequest&lt;ApiProblem&gt;</c> …), and the API's edge (<see cref="ApiErrors"/>) uses it
/// for what never reaches an endpoint: bad input, unknown routes, wrong methods, failures.
/// </summary>
public sealed class ApiProblem : ProblemDetails
{
    public ApiProblem(string detail, IReadOnlyList<MachineConflict>? conflicts = null)
    {
        Detail = detail;
        Conflicts = conflicts;
    }

    /// <summary>For an all-or-nothing request (reserving several machines): every machine that stood in the way, with why.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<MachineConflict>? Conflicts { get; }

    /// <summary>Writes the problem with <paramref name="status"/> where no endpoint result does (middleware, handlers).</summary>
    public static Task WriteAsync(HttpContext http, int status, string detail) =>
        TypedResults.Problem(new ApiProblem(detail) { Status = status }).ExecuteAsync(http);
}
