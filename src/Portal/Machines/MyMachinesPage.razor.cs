using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MudBlazor;
using Portal.Account;
using Portal.Core.Machines;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;
using Portal.Core.Reservations;
using Portal.Live;
using Portal.Provisioning;
using Portal.Shell;

namespace Portal.Machines;

/// <summary>
/// The machines the signed-in user holds, when each lapses, extend/release, and the deployments
/// on them that are running or were the last on each machine. Live on "machines" (a reservation
/// anywhere), on each held machine and on each running deployment.
/// </summary>
public sealed partial class MyMachinesPage : LiveComponent
{
    [Inject] private IDbContextFactory<AppDbContext> Contexts { get; set; } = default!;
    [Inject] private CircuitUser User { get; set; } = default!;
    [Inject] private UiActions Actions { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private IOptions<ReservationOptions> ReservationOptions { get; set; } = default!;

    private List<Machine> machines = [];
    private List<DeploymentRow> deployments = [];
    private bool loaded;
    private bool busy;
    private int hours;

    protected override void OnInitialized()
    {
        base.OnInitialized();
        hours = ReservationOptions.Value.DefaultHours;
    }

    protected override bool ShowsTopic(string topic) =>
        topic is "machines" or "deployments" || machines.Any(m => topic == $"machine:{m.Id}")
        || deployments.Any(d => d.State == DeploymentState.Active && topic == $"deployment:{d.Id}");

    protected override async Task LoadAsync()
    {
        var who = await User.RequesterAsync();
        await using var db = await Contexts.CreateDbContextAsync();
        machines = await db.Machines.AsNoTracking().Where(m => m.ReservedById == who.UserId)
            .OrderBy(m => m.ReservedUntil).ThenBy(m => m.Name).ToListAsync();
        var ids = machines.Select(m => m.Id).ToList();
        // Per held machine its newest deployment (running or how the last one ended).
        var rows = await DeploymentRows.ListAsync(db, who, q => q.Where(d => ids.Contains(d.MachineId)
            && d.Id == q.Where(x => x.MachineId == d.MachineId).Max(x => x.Id)).OrderByDescending(d => d.Id), default);
        deployments = rows;
        loaded = true;
    }

    private async Task RunAsync(Func<Task> work)
    {
        busy = true;
        try { await work(); }
        finally { busy = false; }
    }

    private Task ExtendAsync(Machine m) =>
        RunAsync(() => Actions.RunAsync([], (s, who) => s.GetRequiredService<Reservations>().ExtendAsync(m.Id, hours, who)));

    private async Task ReleaseAsync(Machine m)
    {
        IReadOnlyList<WipeChoice> wipes = [];
        if (m.State is MachineState.Deployed or MachineState.Failed)
        {
            await using var db = await Contexts.CreateDbContextAsync();
            wipes = await WipeChoice.ListAsync(db, default);
        }
        if (await ReleaseDialog.AskAsync(Dialogs, m.Name, wipes) is not { } choice) return;
        await RunAsync(async () =>
        {
            var (done, run) = await Actions.ReleaseAsync(m.Id, choice);
            if (done && run is { } id) Navigation.NavigateTo($"/deployments/{id}");
        });
    }
}
