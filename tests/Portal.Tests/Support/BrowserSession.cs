using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace Portal.Tests.Support;

/// <summary>Drives the server-rendered forms the way a browser without JavaScript would.</summary>
public static class BrowserSession
{
    private static readonly HtmlParser Parser = new();

    public static async Task<IHtmlDocument> GetPageAsync(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {url} gave {(int)response.StatusCode}");
        return Parser.ParseDocument(await response.Content.ReadAsStringAsync());
    }

    public static IHtmlDocument Parse(string html) => Parser.ParseDocument(html);

    /// <summary>Fills the form that contains <paramref name="formSelector"/> and posts it, hidden fields included.</summary>
    public static async Task<HttpResponseMessage> SubmitAsync(this HttpClient client, string pageUrl, string formSelector, IDictionary<string, string> fields)
    {
        var page = await client.GetPageAsync(pageUrl);
        var form = page.QuerySelector(formSelector) as IHtmlFormElement
            ?? throw new InvalidOperationException($"No form {formSelector} on {pageUrl}");
        var values = form.QuerySelectorAll("input[type=hidden]").OfType<IHtmlInputElement>()
            .Select(i => new KeyValuePair<string, string>(i.Name!, i.Value)).ToList();
        values.AddRange(fields);
        var action = string.IsNullOrEmpty(form.GetAttribute("action")) ? pageUrl : form.GetAttribute("action")!;
        return await client.PostAsync(action, new FormUrlEncodedContent(values));
    }

    public static Task<HttpResponseMessage> LoginAsync(this HttpClient client, string email, string password) =>
        client.SubmitAsync("/account/login", "form", new Dictionary<string, string> { ["Input.Email"] = email, ["Input.Password"] = password });

    public static async Task<HttpClient> SignedInAsync(this PortalFactory factory, string email = PortalFactory.AdminEmail, string password = PortalFactory.AdminPassword)
    {
        var client = factory.Browser();
        var response = await client.LoginAsync(email, password);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"login as {email} gave {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        ApiTokens.Remember(client, factory, email);
        return client;
    }
}
