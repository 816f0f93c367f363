using System.Net;
using Portal.Tests.Support;

namespace Portal.Tests.Shell;

public sealed class ShellTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Theory]
    [InlineData("/_framework/blazor.web.js")]
    [InlineData("/_content/MudBlazor/MudBlazor.min.css")]
    [InlineData("/_content/MudBlazor/MudBlazor.min.js")]
    public async Task TheUiScriptsAndStylesAreServedToSignedOutBrowsers(string url)
    {
        var response = await factory.Browser().GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task InteractivePagesLoadTheCircuitScriptAndStaticPagesDoNot()
    {
        var client = await factory.SignedInAsync();
        var home = await client.GetStringAsync("/");
        var login = await factory.Browser().GetStringAsync("/account/login");
        Assert.Contains("_framework/blazor.web.js", home);
        Assert.DoesNotContain("_framework/blazor.web.js", login);
    }

    [Theory]
    [InlineData("/?password-changed=1")]
    [InlineData("/?password-changed=true")]
    [InlineData("/?password-changed=%00garbage")]
    public async Task TheDashboardAnswersWhateverTheQueryString(string url)
    {
        var client = await factory.SignedInAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(url)).StatusCode);
    }
}
