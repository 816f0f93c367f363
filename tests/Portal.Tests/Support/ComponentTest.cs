using System.Security.Claims;
using Bunit;
using Bunit.Rendering;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MudBlazor;
using MudBlazor.Services;
using Portal.Account;
using Portal.Live;
using Portal.Shell;

namespace Portal.Tests.Support;

/// <summary>
/// The one bUnit context for Portal's components: MudBlazor services, loose JS interop, a signed-in
/// user of the test's choosing, the interactive server renderer, and — when a <see cref="PortalFactory"/>
/// is given — the real Portal's services behind it (its DbContext factory on a real PostgreSQL
/// database, its live event hub, its Core services). xUnit disposes it asynchronously (MudBlazor's
/// services are only IAsyncDisposable).
/// </summary>
public abstract class ComponentTest : BunitContext, IAsyncLifetime
{
    protected BunitAuthorizationContext Auth { get; }
    private readonly PortalFactory? portal;

    /// <summary>The real Portal behind the components (for seeding and checking its database).</summary>
    protected PortalFactory Portal => portal ?? throw new InvalidOperationException("Needs the Portal: pass a PortalFactory.");
    private bool rendererSet;
    private IRenderedComponent<ContainerFragment>? overlays;

    /// <summary>What MudBlazor's providers show beside the component: dialogs, popovers, snackbars.</summary>
    protected IRenderedComponent<ContainerFragment> Overlays => overlays ?? throw new InvalidOperationException("Render a component with RenderInteractive first.");

    protected ComponentTest(PortalFactory? portal = null)
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        // bUnit waits one second by default; pages here query a real database on a shared 2-core machine.
        DefaultWaitTimeout = TimeSpan.FromSeconds(15);
        Services.AddMudServices();
        Services.AddScoped<CircuitUser>();
        Services.AddScoped<UiActions>();
        this.portal = portal;
        if (portal is null) Services.AddSingleton<LiveEventHub>();
        else
        {
            Services.AddFallbackServiceProvider(portal.Services);
            // bUnit's fallback answers only at its root: a scope bUnit's container opens finds none of the
            // Portal's scoped services. UiActions therefore opens its scopes in the Portal itself.
            Services.AddScoped(sp => new UiActions(portal.Services.GetRequiredService<IServiceScopeFactory>(),
                sp.GetRequiredService<CircuitUser>(), sp.GetRequiredService<ISnackbar>(), portal.Services.GetRequiredService<ILogger<UiActions>>()));
        }
        Auth = AddAuthorization();
    }

    /// <summary>Signs in a user with an id, a name and roles (the claims the Portal's cookie carries).</summary>
    protected void SignIn(string userId, string name, params string[] roles)
    {
        Auth.SetAuthorized(name);
        Auth.SetRoles(roles);
        // After the roles: bUnit rebuilds the principal from name and roles when they are set.
        Auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, userId));
    }

    /// <summary>Signs in as an existing Portal user, found by email, with <paramref name="roles"/>; returns their id.</summary>
    protected async Task<string> SignInAsync(string email, params string[] roles)
    {
        var id = await Portal.UserIdAsync(email);
        SignIn(id, email, roles);
        return id;
    }

    /// <summary>Renders a component the way the interactive app does: beside MudBlazor's providers.</summary>
    protected IRenderedComponent<TComponent> RenderInteractive<TComponent>(Action<ComponentParameterCollectionBuilder<TComponent>>? parameters = null)
        where TComponent : IComponent
    {
        if (!rendererSet)
        {
            // After every service registration (bUnit's rule): the component sees an interactive server renderer.
            SetRendererInfo(new RendererInfo("Server", isInteractive: true));
            rendererSet = true;
        }
        overlays = Render(builder =>
        {
            builder.OpenComponent<MudPopoverProvider>(0); builder.CloseComponent();
            builder.OpenComponent<MudDialogProvider>(1); builder.CloseComponent();
            builder.OpenComponent<MudSnackbarProvider>(2); builder.CloseComponent();
        });
        return Render(parameters ?? (_ => { }));
    }

    /// <summary>The snackbar messages shown so far.</summary>
    protected IEnumerable<string> Snackbars => Services.GetRequiredService<ISnackbar>().ShownSnackbars.Select(s => s.Message?.ToString() ?? "");

    Task IAsyncLifetime.InitializeAsync() => InitializeAsync();

    protected virtual Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();
}
