using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Provisioning;
using Portal.Tests.Support;

namespace Portal.Tests.Provisioning;

/// <summary>
/// bUnit tests of the provisioning pages against the provisioning Portal (real PostgreSQL, Quartz, lab BMCs).
/// Unlike <see cref="ComponentTest.RenderInteractive{TComponent}"/>, the page is rendered in the same tree
/// as MudBlazor's providers, so the confirmation dialogs it opens can be found and clicked in what this returns.
/// </summary>
public abstract class ProvisioningComponentTest : ComponentTest
{
    protected new ProvisioningFactory Portal { get; }
    private bool providersShown;

    protected ProvisioningComponentTest(ProvisioningFactory portal) : base(portal)
    {
        Portal = portal;
        // A scope that bUnit opens (UiActions, the provision form) does not reach the Portal's services through
        // the fallback provider: give each one a Portal scope of its own for what the pages resolve there.
        Services.AddScoped(_ => new PortalScope(portal.Services.CreateAsyncScope()));
        Services.AddScoped(sp => sp.GetRequiredService<PortalScope>().Services.GetRequiredService<DeploymentRuns>());
    }

    private sealed class PortalScope(AsyncServiceScope scope) : IAsyncDisposable
    {
        public IServiceProvider Services => scope.ServiceProvider;
        public ValueTask DisposeAsync() => scope.DisposeAsync();
    }

    /// <summary>
    /// Signs in as <paramref name="member"/>. Not through ComponentTest.SignIn: there the roles are set after
    /// the id claim, and bUnit's SetRoles rebuilds the principal without it (Core rules need the id).
    /// </summary>
    protected void SignIn(Member member)
    {
        Auth.SetAuthorized(member.Email);
        Auth.SetRoles(member.Role);
        Auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, member.Id));
    }

    protected IRenderedComponent<IComponent> Show<TPage>(params (string Name, object? Value)[] parameters) where TPage : IComponent
    {
        // MudBlazor's providers exist once per circuit: a second page in the same test renders without them (and opens no dialogs).
        var withProviders = !providersShown;
        if (withProviders) SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        providersShown = true;
        return Render(builder =>
        {
            if (withProviders)
            {
                builder.OpenComponent<MudPopoverProvider>(0); builder.CloseComponent();
                builder.OpenComponent<MudDialogProvider>(1); builder.CloseComponent();
                builder.OpenComponent<MudSnackbarProvider>(2); builder.CloseComponent();
            }
            builder.OpenComponent<TPage>(3);
            foreach (var (name, value) in parameters) builder.AddComponentParameter(4, name, value);
            builder.CloseComponent();
        });
    }

    /// <summary>Where the page sent the browser last.</summary>
    protected string Location => Services.GetRequiredService<NavigationManager>().ToBaseRelativePath(Services.GetRequiredService<NavigationManager>().Uri);

    /// <summary>Clicks the button of the open dialog that says <paramref name="text"/>.</summary>
    protected static void ClickDialogButton(IRenderedComponent<IComponent> host, string text) =>
        host.WaitForAssertion(() => host.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == text).Click());

    /// <summary>
    /// Clicks what <paramref name="selector"/> finds once it is there. Retried: a live page re-renders on its
    /// own (the elapsed time ticks every second), which can retire the handler between finding and clicking.
    /// </summary>
    protected static void Press(IRenderedComponent<IComponent> host, string selector) =>
        host.WaitForAssertion(() => host.Find(selector).Click(), TimeSpan.FromSeconds(20));
}
