using System.Text;
using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MudBlazor;
using Portal.Account;
using Portal.Shell;
using Portal.Core.Credentials;
using Portal.Core.Persistence;
using Portal.Credentials;
using Portal.Tests.Support;

namespace Portal.Tests.Credentials;

/// <summary>Uploading through the credentials page (bUnit) and reading what was stored.</summary>
internal static class CredentialTestSupport
{
    private static int next;

    /// <summary>A fresh locally administered MAC, so tests sharing a database never collide.</summary>
    public static string NewMac(byte classTag)
    {
        var n = Interlocked.Increment(ref next);
        return $"02:{classTag:x2}:00:{(n >> 16) & 0xff:x2}:{(n >> 8) & 0xff:x2}:{n & 0xff:x2}";
    }

    /// <summary>Chooses a file in the page's MudFileUpload (bUnit drives its InputFile), as a person picking it would.</summary>
    public static void Choose(this IRenderedComponent<CredentialsPage> page, string content, string fileName = "vendor.csv") =>
        page.Choose(Encoding.UTF8.GetBytes(content), fileName);

    public static void Choose(this IRenderedComponent<CredentialsPage> page, byte[] content, string fileName = "vendor.csv") =>
        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(content, fileName, contentType: "text/csv"));

    /// <summary>Waits for the preview of the file just chosen and returns its rows.</summary>
    public static IReadOnlyList<IElement> PreviewRows(this IRenderedComponent<CredentialsPage> page)
    {
        page.WaitForElement("#credential-preview", TimeSpan.FromSeconds(10));
        return page.FindAll("#preview tbody tr");
    }

    /// <summary>The button whose text starts with <paramref name="text"/>, or null.</summary>
    public static IElement? Button<T>(this IRenderedComponent<T> page, string text) where T : Microsoft.AspNetCore.Components.IComponent =>
        page.FindAll("button").SingleOrDefault(b => b.TextContent.Trim().StartsWith(text, StringComparison.Ordinal));

    public static void Click<T>(this IRenderedComponent<T> page, string buttonText) where T : Microsoft.AspNetCore.Components.IComponent =>
        Fresh.Dispatch(() => (page.Button(buttonText) ?? throw new InvalidOperationException($"No button \"{buttonText}\"")).Click());

    /// <summary>Ticks or unticks the checkbox labelled <paramref name="label"/>.</summary>
    public static void Tick<T>(this IRenderedComponent<T> page, string label, bool value) where T : Microsoft.AspNetCore.Components.IComponent =>
        Fresh.Dispatch(() => page.FindAll("label").Single(l => l.TextContent.Contains(label, StringComparison.Ordinal)).QuerySelector("input[type=checkbox]")!.Change(value));

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
