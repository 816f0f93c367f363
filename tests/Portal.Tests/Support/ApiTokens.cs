using System.Net.Http.Headers;

namespace Portal.Tests.Support;

/// <summary>Personal API tokens the way a person gets one: created on the profile page, shown once.</summary>
public static class ApiTokens
{
    public static async Task<string> CreateTokenAsync(this HttpClient browser, string name)
    {
        var response = await browser.SubmitAsync("/account/profile", "form:has(#token-name)", new Dictionary<string, string> { ["Input.Name"] = name });
        var page = BrowserSession.Parse(await response.Content.ReadAsStringAsync());
        return page.QuerySelector("#new-token-secret")?.TextContent
            ?? throw new InvalidOperationException("No token shown: " + page.QuerySelector("main")?.TextContent);
    }

    /// <summary>A client that calls the API with <paramref name="token"/>.</summary>
    public static HttpClient Api(this PortalFactory factory, string token)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
