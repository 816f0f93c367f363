using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Tests.Netboot;
using Portal.Tests.Support;

namespace Portal.Tests.Api;

/// <summary>
/// The corpus of bad inputs (#13): every /api endpoint the app maps — read from its endpoint data
/// sources, so a new endpoint is covered the day it is added — gets malformed JSON, NUL bytes,
/// control characters, overflowing numbers, unknown enum values and an oversize body, as an admin.
/// Every answer must be a 4xx application/problem+json with a specific detail, none a 5xx, and
/// nothing may be written. (The anonymous netboot routes have their own corpus in BadInputTests.)
/// </summary>
public sealed partial class BadInputCorpusTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    private const string Huge = "99999999999999999999";

    private sealed record Route(string Method, string Template, bool TakesBody, IReadOnlyList<string> NumericQuery, IReadOnlyList<string> EnumQuery);

    private sealed record Attempt(string Input, string Method, string Url, HttpContent? Body);

    [Fact]
    public async Task EveryApiEndpointAnswersEveryBadInputWithASpecificProblemAndWritesNothing()
    {
        var (mac, uuid, serial) = NetbootTestData.NewIdentity();
        var machineId = await factory.CreateMachineAsync(mac, uuid, serial);
        var api = factory.Api(await (await factory.SignedInAsync()).CreateTokenAsync("corpus"));
        var routes = await RoutesAsync();
        Assert.True(routes.Count >= 20, $"only {routes.Count} API routes found");
        var before = await WrittenAsync(machineId);

        var failures = new List<string>();
        foreach (var route in routes)
        foreach (var attempt in Attempts(route, machineId.ToString()))
        {
            using var request = new HttpRequestMessage(new HttpMethod(attempt.Method), attempt.Url) { Content = attempt.Body };
            using var response = await api.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (Problem(response, body) is { } problem)
                failures.Add($"{attempt.Input}: {attempt.Method} {Clip(attempt.Url)} → {(int)response.StatusCode} {response.Content.Headers.ContentType}: {problem}");
        }

        Assert.True(failures.Count == 0, $"{failures.Count} bad answers:\n" + string.Join("\n", failures));
        Assert.Equal(before, await WrittenAsync(machineId));
    }

    private IEnumerable<Attempt> Attempts(Route route, string id)
    {
        var url = Fill(route.Template, id);
        var method = route.Method;
        yield return new("malformed JSON", method, url, Json("""{"machineIds": [1, """));
        yield return new("malformed JSON (not an object)", method, url, Json("""{"hostname" "x"}"""));
        yield return new("NUL in the query", method, url + "?state=Available%00&q=a%00b", null);
        yield return new("NUL in a JSON string", method, url, Json("""{"mac":"aa:bb:cc:00:00:01\u0000","hostname":"h\u0000","sshKeys":["ssh-ed25519 AAAA\u0000"],"action":"On\u0000","sha256":"\u0000","machineIds":[1]}"""));
        yield return new("NUL in a JSON field name", method, url, Json("""{"ma\u0000c":"x"}"""));
        yield return new("control character in the query", method, url + "?vendor=Dell%1B%5B2J", null);
        yield return new("control character in JSON", method, url, Json("""{"hostname":"bell\u0007","parameters":{"k":"line\nbreak"}}"""));
        yield return new("oversize JSON body", method, url, Json("{\"notes\":\"" + new string('x', 5 * 1024 * 1024 + 10) + "\"}"));
        if (Parameter().IsMatch(route.Template))
            yield return new("overflowing route id", method, Fill(route.Template, Huge), null);
        foreach (var name in route.NumericQuery)
            yield return new($"overflowing query number '{name}'", method, $"{url}?{name}={Huge}", null);
        foreach (var name in route.EnumQuery)
            yield return new($"unknown enum value in '{name}'", method, $"{url}?{name}=bogus", null);
        if (route.TakesBody)
        {
            yield return new("overflowing JSON numbers", method, url, Json($$"""{"machineIds":[{{Huge}}],"machineId":{{Huge}},"hours":{{Huge}},"profileId":{{Huge}},"wipeProfileId":{{Huge}}}"""));
            yield return new("unknown enum value in JSON", method, url, Json("""{"action":"Explode","machineIds":[],"hours":0}"""));
        }
    }

    /// <summary>Why an answer is not a specific 4xx problem, or null when it is one.</summary>
    private static string? Problem(HttpResponseMessage response, string body)
    {
        var status = (int)response.StatusCode;
        if (status is < 400 or > 499) return "not a 4xx";
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json") return "not application/problem+json";
        if (body.Contains("   at ", StringComparison.Ordinal) || body.Contains("Exception", StringComparison.Ordinal)) return "a stack trace or exception name";
        string? detail;
        try { detail = JsonDocument.Parse(body).RootElement.TryGetProperty("detail", out var d) ? d.GetString() : null; }
        catch (JsonException) { return "the body is not JSON"; }
        if (string.IsNullOrWhiteSpace(detail) || detail.Length < 15) return $"no specific detail ({detail})";
        return null;
    }

    /// <summary>Every /api route with its methods, from the endpoint data sources; what the OpenAPI document knows about its parameters where it describes it.</summary>
    private async Task<List<Route>> RoutesAsync()
    {
        using var openApi = JsonDocument.Parse(await factory.CreateClient().GetStringAsync("/openapi/v1.json"));
        var paths = openApi.RootElement.GetProperty("paths");
        return factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(method =>
            {
                var template = e.RoutePattern.RawText!;
                var operation = paths.TryGetProperty(Constraints().Replace(template, "{$1}").TrimEnd('/'), out var p) || paths.TryGetProperty(Constraints().Replace(template, "{$1}"), out p)
                    ? p.TryGetProperty(method.ToLowerInvariant(), out var o) ? o : (JsonElement?)null
                    : null;
                var query = operation?.TryGetProperty("parameters", out var parameters) == true
                    ? parameters.EnumerateArray().Where(x => x.GetProperty("in").GetString() == "query").ToList()
                    : [];
                bool IsNumber(JsonElement parameter) => parameter.GetProperty("schema").GetRawText() is var s && (s.Contains("integer") || s.Contains("int32") || s.Contains("int64"));
                var takesBody = e.Metadata.GetMetadata<IAcceptsMetadata>() is not null || operation?.TryGetProperty("requestBody", out _) == true;
                return new Route(method, template, takesBody,
                    query.Where(IsNumber).Select(x => x.GetProperty("name").GetString()!).ToList(),
                    query.Select(x => x.GetProperty("name").GetString()!).Where(n => n is "state" or "sort" or "dir").ToList());
            }))
            .OrderBy(r => r.Template).ThenBy(r => r.Method).ToList();
    }

    private static string Fill(string template, string id) => Parameter().Replace(template, id).TrimEnd('/');

    private static StringContent Json(string text) => new(text, Encoding.UTF8, "application/json");

    private static string Clip(string url) => url.Length > 120 ? url[..120] + "…" : url;

    /// <summary>What a request could have written anywhere: rows of every kind an API call makes, and the machine's own state.</summary>
    private Task<string> WrittenAsync(long machineId) => factory.WithDbAsync(async db => string.Join(", ",
        await db.AuditEvents.CountAsync(), await db.Machines.CountAsync(), await db.Deployments.CountAsync(), await db.DeploymentEvents.CountAsync(),
        await db.PowerOperations.CountAsync(), await db.VendorCredentials.CountAsync(), await db.DiscoverySources.CountAsync(), await db.Bmcs.CountAsync(),
        await db.ApiTokens.CountAsync(t => t.RevokedAt == null), await db.Machines.CountAsync(m => m.ReservedByName != null),
        (await db.Machines.AsNoTracking().SingleAsync(m => m.Id == machineId)).State));

    [GeneratedRegex(@"\{\*{0,2}(\w+)[^}]*\}")]
    private static partial Regex Parameter();

    [GeneratedRegex(@"\{\*{0,2}(\w+)[^}]*\}")]
    private static partial Regex Constraints();
}
