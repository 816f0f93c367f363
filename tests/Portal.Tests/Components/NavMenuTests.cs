using Portal.Core.Users;
using Portal.Shell;
using Portal.Tests.Support;

namespace Portal.Tests.Components;

public sealed class NavMenuTests : ComponentTest
{
    [Theory]
    [InlineData(Roles.Admin, true)]
    [InlineData(Roles.Operator, false)]
    [InlineData(Roles.User, false)]
    public void AdminLinksFollowTheRole(string role, bool seesAdminLinks)
    {
        SignIn("u1", "someone@example.com", role);
        var nav = RenderInteractive<NavMenu>();

        Assert.NotNull(nav.Find("a[href='/machines']"));
        Assert.NotNull(nav.Find("a[href='/deployments']"));
        Assert.Equal(seesAdminLinks, nav.FindAll("a[href='/admin/users']").Count == 1);
        Assert.Equal(seesAdminLinks, nav.FindAll("a[href='/admin/audit']").Count == 1);
    }

    [Fact]
    public void AnonymousVisitorsSeeNoLinks()
    {
        var nav = RenderInteractive<NavMenu>();
        Assert.Empty(nav.FindAll("a"));
    }
}
