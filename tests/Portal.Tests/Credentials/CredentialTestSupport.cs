using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AngleSharp.Html.Dom;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Credentials;
using Portal.Core.Persistence;
using Portal.Tests.Support;

namespace Portal.Tests.Credentials;

/// <summary>Uploading through the admin pages and the API the way a browser or script would.</summary>
internal static class CredentialTestSupport
{
    private static int next;

    /// <summary>A fresh locally administered MAC, so tests sharing a database never collide.</summary>
    public static string NewMac(byte classTag)
    {
        var n = Interlocked.Increment(ref next);
        return $"02:{classTag:x2}:00:{(n >> 16) & 0xff:x2}:{(n >> 8) & 0xff:x2}:{n & 0xff:x2}";
    }

    public static async Task<HttpResponseMessage> UploadAsync(this HttpClient browser, byte[] content, string fileName, bool replace = false)
    {
        var page = await browser.GetPageAsync("/admin/credentials");
        var form = page.QuerySelector("#upload-form") ?? throw new InvalidOperationException("No upload form");
        var multipart = new MultipartFormDataContent();
        foreach (var hidden in form.QuerySelectorAll("input[type=hidden]").OfType<IHtmlInputElement>())
            multipart.Add(new StringContent(hidden.Value), hidden.Name!);
        if (replace)
            multipart.Add(new StringContent("true"), "replace");
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        multipart.Add(file, "file", fileName);
        return await browser.PostAsync("/admin/credentials/upload", multipart);
    }

    public sealed record Preview(string Url, string Html, IHtmlDocument Page);

    public static async Task<Preview> UploadAndPreviewAsync(this HttpClient browser, string csv, string fileName = "vendor.csv", bool replace = false) =>
        await browser.UploadAndPreviewAsync(Encoding.UTF8.GetBytes(csv), fileName, replace);

    public static async Task<Preview> UploadAndPreviewAsync(this HttpClient browser, byte[] content, string fileName = "vendor.csv", bool replace = false)
    {
        var response = await browser.UploadAsync(content, fileName, replace);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var url = response.Headers.Location!.OriginalString;
        Assert.StartsWith("/admin/credentials/preview/", url);
        var html = await (await browser.GetAsync(url)).Content.ReadAsStringAsync();
        return new Preview(url, html, BrowserSession.Parse(html));
    }

    /// <summary>Clicks "Import N entries" on the preview page.</summary>
    public static Task<HttpResponseMessage> ImportAsync(this HttpClient browser, Preview preview) =>
        browser.SubmitAsync(preview.Url, "#import-form", new Dictionary<string, string>());

    public static async Task<int> CredentialCountAsync(this PortalFactory factory)
    {
        using var scope = factory.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().VendorCredentials.CountAsync();
    }

    public static async Task<VendorCredential?> StoredAsync(this PortalFactory factory, string mac)
    {
        using var scope = factory.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<AppDbContext>().VendorCredentials.AsNoTracking().SingleOrDefaultAsync(c => c.Mac == mac);
    }

    public static string Decrypt(this PortalFactory factory, string encrypted) =>
        factory.Services.GetRequiredService<CredentialProtector>().Unprotect(encrypted);
}
