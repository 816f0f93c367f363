using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MudBlazor;
using Portal.Account;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Power;
using Portal.Core.Provisioning.Workflow;
using Portal.Core.Users;
using Portal.Core.Provisioning;
using Portal.Core.Reservations;
using Portal.Live;
using Portal.Provisioning;
using Portal.Shell;

namespace Portal.Machines;

/// <summary>
/// One machine: hardware, BMC, reservation, power, operator actions, its deployments and history.
/// Live on "machine:{id}" (reservation, power, maintenance, a new run) and on its running deployments.
/// </summary>
public sealed partial class MachineDetailPage : LiveComponent
{
    [Parameter] public long Id { get; set; }

    [Inject] private IDbContextFactory<AppDbContext> Contexts { get; set; } = default!;
    [Inject] private CircuitUser User { get; set; } = default!;
    [Inject] private UiActions Actions { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private IOptions<ReservationOptions> ReservationOptions { get; set; } = default!;

    private MachineDetails? detail;
    private List<DeploymentRow> deployments = [];
    private Requester? Who;
    private bool loaded;
    private bool busy;
    private int hours;
    private string? maintenanceReason;
    private string? tags;
    private long? tagsOf;

    private Machine M => detail!.Machine;

    private List<BreadcrumbItem> Crumbs =>
    [
        new("Machines", "/machines"), new("My machines", "/machines/mine"), new(detail?.Machine.Name ?? $"Machine {Id}", null, disabled: true),
    ];

    protected override void OnInitialized()
    {
        base.OnInitialized();
        hours = ReservationOptions.Value.DefaultHours;
    }

    protected override bool ShowsTopic(string topic) =>
        topic == $"machine:{Id}" || deployments.Any(d => d.State == DeploymentState.Active && topic == $"deployment:{d.Id}");

    protected override async Task LoadAsync()
    {
        Who = await User.RequesterAsync();
        await using var db = await Contexts.CreateDbContextAsync();
        detail = await MachineDetails.LoadAsync(db, Id, Who, default);
        deployments = detail is null ? [] : await DeploymentRows.ListAsync(db, Who, q => q.Where(d => d.MachineId == Id).OrderByDescending(d => d.Id).Take(5), default);
        // The tags box shows the saved tags until the operator starts editing another machine's.
        if (detail is not null && tagsOf != Id) { tags = string.Join(", ", detail.Machine.Tags); tagsOf = Id; }
        loaded = true;
    }

    private static string ActionLabel(string action) => PowerActions.TryParse(action, out var a) ? PowerActions.Label(a) : action;

    private async Task RunAsync(Func<Task> work)
    {
        busy = true;
        try { await work(); }
        finally { busy = false; }
    }

    private Task ReserveAsync() => RunAsync(() => Actions.RunAsync([], (s, who) => s.GetRequiredService<Reservations>().ReserveAsync([Id], hours, who)));

    private Task ExtendAsync() => RunAsync(() => Actions.RunAsync([], (s, who) => s.GetRequiredService<Reservations>().ExtendAsync(Id, hours, who)));

    private async Task ReleaseAsync()
    {
        if (await ReleaseDialog.AskAsync(Dialogs, M.Name, detail!.WipeProfiles) is not { } choice) return;
        await RunAsync(async () =>
        {
            var (done, run) = await Actions.ReleaseAsync(Id, choice);
            // A release run has a timeline of its own.
            if (done && run is { } id) Navigation.NavigateTo($"/deployments/{id}");
        });
    }

    /// <summary>Anything but "on" can cut a running system off: asked first.</summary>
    private async Task PowerAsync(PowerAction action)
    {
        if (action != PowerAction.On)
        {
            var sure = await Dialogs.ShowMessageBoxAsync($"{PowerActions.Label(action)} {M.Name}?",
                $"{PowerActions.Label(action)} interrupts whatever runs on {M.Name}.", yesText: PowerActions.Label(action), cancelText: "Cancel");
            if (sure != true) return;
        }
        await RunAsync(() => Actions.RunAsync([], async (s, who) => (await s.GetRequiredService<PowerControl>().RequestAsync(Id, action, who)).Outcome));
    }

    private Task MaintenanceAsync(bool on) => RunAsync(() => Actions.RunAsync([Roles.Operator, Roles.Admin], (s, who) => on
        ? s.GetRequiredService<Reservations>().EnterMaintenanceAsync(Id, maintenanceReason, who)
        : s.GetRequiredService<Reservations>().LeaveMaintenanceAsync(Id, who)));

    private Task SaveTagsAsync() => RunAsync(() => Actions.RunAsync([Roles.Operator, Roles.Admin], (s, who) =>
        s.GetRequiredService<Reservations>().SetTagsAsync(Id, (tags ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), who)));
}
