using Microsoft.Playwright;

namespace Portal.EndToEnd;

/// <summary>The static sign-in form, filled in the way a person does.</summary>
public static class SignIn
{
    public static async Task AsAsync(IPage page, PortalServer portal, string email, string password)
    {
        await page.GotoAsync(portal.BaseUrl + "/account/login");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/account/login"));
    }

    public static Task AsAdminAsync(IPage page, PortalServer portal) => AsAsync(page, portal, PortalServer.AdminEmail, PortalServer.AdminPassword);
}
