using System.Security.Claims;
using Bunit;
using Bunit.Rendering;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Portal.Core.Power;
using Portal.Core.Provisioning.Workflow;
using Portal.Core.Reservations;
using Portal.Core.Users;
using Portal.Tests.Support;

namespace Portal.Tests.Machines;

/// <summary>
/// <see cref="ComponentTest.RenderInteractive{TComponent}"/> with a handle on MudBlazor's providers:
/// the machine pages open dialogs (release, power off), and a test clicks inside them.
/// </summary>
public abstract class MachinePageTest : ComponentTest
{

    protected MachinePageTest(PortalFactory portal) : base(portal)
    {
        // bUnit's fallback provider answers only at the root: a scope UiActions opens would not find
        // Core's scoped services. Each such scope gets a scope of the Portal's own to take them from.
        Services.AddScoped(_ => new PortalScope(portal.Services.CreateAsyncScope()));
        foreach (var type in new[] { typeof(Reservations), typeof(PowerControl), typeof(ProvisioningService) })
            Services.AddScoped(type, sp => sp.GetRequiredService<PortalScope>().Scope.ServiceProvider.GetRequiredService(type));
    }

    private sealed record PortalScope(AsyncServiceScope Scope) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Scope.DisposeAsync();
    }

    private IRenderedComponent<ContainerFragment>? providers;

    /// <summary>The dialogs and snackbars on screen.</summary>
    protected IRenderedComponent<ContainerFragment> Providers => providers ?? throw new InvalidOperationException("Render a page first.");

    protected IRenderedComponent<TPage> RenderPage<TPage>(Action<ComponentParameterCollectionBuilder<TPage>>? parameters = null) where TPage : IComponent
    {
        if (providers is null)
        {
            SetRendererInfo(new RendererInfo("Server", isInteractive: true));
            providers = Render(builder =>
            {
                builder.OpenComponent<MudPopoverProvider>(0); builder.CloseComponent();
                builder.OpenComponent<MudDialogProvider>(1); builder.CloseComponent();
                builder.OpenComponent<MudSnackbarProvider>(2); builder.CloseComponent();
            });
        }
        return Render(parameters ?? (_ => { }));
    }

    /// <summary>
    /// A real user, signed in. Claims after roles: bUnit's SetRoles drops claims set before it, so
    /// <see cref="ComponentTest.SignIn"/> loses the user id (that helper is the lead's to fix).
    /// </summary>
    protected async Task<Requester> SignInAsAsync(string name, params string[] roles)
    {
        var who = await Portal.RequesterAsync(name, roles);
        Auth.SetAuthorized(who.Name);
        Auth.SetRoles(roles.Length == 0 ? [Roles.User] : roles);
        Auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, who.UserId));
        return who;
    }

    protected void GoTo(string url) => Services.GetRequiredService<NavigationManager>().NavigateTo(url);

    protected string Url => "/" + Services.GetRequiredService<NavigationManager>().ToBaseRelativePath(Services.GetRequiredService<NavigationManager>().Uri);

    /// <summary>Clicks the button in the open dialog whose text is <paramref name="text"/>.</summary>
    protected void ClickInDialog(string text) =>
        Fresh.Dispatch(() => Providers.WaitForElements(".mud-dialog button").Single(b => b.TextContent.Trim() == text).Click());
}
