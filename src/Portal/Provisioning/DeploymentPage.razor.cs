using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.Account;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;
using Portal.Core.Provisioning.Workflow;
using Portal.Live;
using Portal.Shell;

namespace Portal.Provisioning;

/// <summary>
/// A run's timeline, live: every change to it (a step, a netboot fetch, an installer event, cancel)
/// publishes deployment:{id}; a change of its machine (retry and release depend on its state) machine:{id}.
/// </summary>
public sealed partial class DeploymentPage : LiveComponent
{
    [Inject] private IDbContextFactory<AppDbContext> Contexts { get; set; } = default!;
    [Inject] private CircuitUser User { get; set; } = default!;
    [Inject] private UiActions Actions { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private TimeProvider Clock { get; set; } = default!;

    [Parameter] public long Id { get; set; }

    private DeploymentDetails? details;
    private bool loaded;
    private bool isLatest;
    private List<ProfileChoice> profiles = [];
    private ITimer? ticker;

    private Deployment D => details!.Deployment;
    private Machine M => D.Machine!;
    private DeploymentWorkflow? W => details!.Workflow;
    private DateTimeOffset Now => Clock.GetUtcNow();

    /// <summary>Release is the machine's, not the run's: offered on its latest run once that has ended and left the machine installed or failed.</summary>
    private bool MayRelease => details is { MayAct: true } && isLatest && !D.IsActive && M.IsHeld && M.State is MachineState.Deployed or MachineState.Failed;

    protected override bool ShowsTopic(string topic) => topic == $"deployment:{Id}" || (details is not null && topic == $"machine:{details.Deployment.MachineId}");

    protected override async Task LoadAsync()
    {
        var who = await User.RequesterAsync();
        await using var db = await Contexts.CreateDbContextAsync();
        details = await DeploymentDetails.LoadAsync(db, Id, who, CancellationToken.None);
        if (details is not null)
        {
            isLatest = !await db.Deployments.AnyAsync(d => d.MachineId == details.Deployment.MachineId && d.Id > Id);
            if (MayRelease) profiles = await ProvisionChoices.ProfilesAsync(db, CancellationToken.None);
        }
        loaded = true;
        // "Running for" and "gives up in" move on their own while the run is active.
        if (details?.IsActive == true) ticker ??= Clock.CreateTimer(_ => InvokeAsync(StateHasChanged), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        else { ticker?.Dispose(); ticker = null; }
    }

    private List<BreadcrumbItem> Crumbs => details is null
        ? [new("Deployments", "/deployments")]
        : [new("Deployments", "/deployments"), new(M.Name, $"/machines/{M.Id}"), new($"#{Id}", null, disabled: true)];

    private static readonly Dictionary<string, ProvisioningStep> StepsByPhase =
        Enum.GetValues<ProvisioningStep>().Where(s => !s.IsTerminal()).ToDictionary(s => s.Phase());

    /// <summary>The step the run was in when it failed: the workflow row then says only "Failed", its last step entry says where.</summary>
    private ProvisioningStep? FailedAt => details!.Timeline
        .Where(t => t.Event.Kind == DeploymentEventKind.Step && StepsByPhase.ContainsKey(t.Event.Phase))
        .Select(t => (ProvisioningStep?)StepsByPhase[t.Event.Phase]).LastOrDefault();

    private Color BarColour => D.State switch
    {
        DeploymentState.Active => Color.Info,
        DeploymentState.Finished => Color.Success,
        DeploymentState.Failed => Color.Error,
        _ => Color.Default,
    };

    private async Task CancelAsync()
    {
        var what = D.Kind == DeploymentKind.Release ? $"the release of {M.Name}" : $"the deployment of {D.Hostname}";
        var sure = await Dialogs.ShowMessageBoxAsync("Cancel this run?",
            $"This stops {what} at the step it is in. {(D.Kind == DeploymentKind.Install ? $"{M.Name} goes back to you as Reserved; what was installed so far stays on its disk." : $"{M.Name} is left Failed until you release it again.")}",
            yesText: "Cancel run", cancelText: "Keep running");
        if (sure != true) return;
        await Actions.RunAsync([], (services, who) => services.GetRequiredService<DeploymentRuns>().CancelAsync(Id, who, CancellationToken.None));
    }

    private async Task RetryAsync()
    {
        var sure = await Dialogs.ShowMessageBoxAsync("Retry this run?",
            $"A new deployment of {D.Hostname} starts on {M.Name} from the beginning, with the same profile, keys and parameters.",
            yesText: "Retry", cancelText: "Not now");
        if (sure != true) return;
        long? next = null;
        await Actions.RunAsync([], async (services, who) =>
        {
            var retried = await services.GetRequiredService<DeploymentRuns>().RetryAsync(Id, who, CancellationToken.None);
            next = retried.DeploymentId;
            return retried.Outcome;
        });
        if (next is { } id && id != Id) Navigation.NavigateTo($"/deployments/{id}");
    }

    private async Task ReleaseAsync()
    {
        var dialog = await Dialogs.ShowAsync<ReleaseDialog>($"Release {M.Name}?", new DialogParameters<ReleaseDialog>
        {
            { d => d.MachineName, M.Name },
            { d => d.Profiles, profiles },
        });
        if (await dialog.Result is not { Canceled: false, Data: ReleaseDialog.Choice choice }) return;
        long? next = null;
        await Actions.RunAsync([], async (services, who) =>
        {
            var released = await services.GetRequiredService<DeploymentRuns>().ReleaseAsync(M.Id, choice.WipeProfileId, who, CancellationToken.None);
            next = released.DeploymentId;
            return released.Outcome;
        });
        if (next is { } id) Navigation.NavigateTo($"/deployments/{id}");
    }

    public override void Dispose()
    {
        ticker?.Dispose();
        base.Dispose();
    }
}
