using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using MudBlazor;
using Portal.Account;
using Portal.Core.Persistence;

namespace Portal.Provisioning;

public sealed partial class ProvisionPanel
{
    [Inject] private IDbContextFactory<AppDbContext> Contexts { get; set; } = default!;
    [Inject] private IServiceScopeFactory Scopes { get; set; } = default!;
    [Inject] private CircuitUser User { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;

    /// <summary>Provision this one machine (no checkboxes, a plain hostname); null offers every machine the user holds.</summary>
    [Parameter] public long? Machine { get; set; }

    /// <summary>Machines ticked from the start (links from machine pages: /deployments/new?machine=42).</summary>
    [Parameter] public IReadOnlyCollection<long> Preselected { get; set; } = [];

    private ProvisionChoices? choices;
    private readonly HashSet<long> selected = [];
    private long? profileId;
    private string? hostname, sshKeys, parameters;
    private string? machinesError, profileError, hostnameError, sshError, parametersError;
    private List<ProvisionResult> results = [];
    private bool busy;

    protected override async Task OnParametersSetAsync()
    {
        await LoadChoicesAsync();
        selected.Clear();
        foreach (var m in choices!.Machines.Where(m => m.CanStart && (Machine is not null || Preselected.Contains(m.Id)))) selected.Add(m.Id);
        if (profileId is null && choices.Profiles.FirstOrDefault() is { } first) ChooseProfile(first.Id);
    }

    private async Task LoadChoicesAsync()
    {
        var who = await User.RequesterAsync();
        await using var db = await Contexts.CreateDbContextAsync();
        var requested = Machine is { } one ? [one] : Preselected;
        var loaded = await ProvisionChoices.LoadAsync(db, who, requested, CancellationToken.None);
        choices = Machine is { } only ? loaded with { Machines = loaded.Machines.Where(m => m.Id == only && m.CanStart).ToList() } : loaded;
    }

    private void Tick(long machineId, bool on)
    {
        if (on) selected.Add(machineId); else selected.Remove(machineId);
        machinesError = null;
    }

    /// <summary>Another profile brings its own defaults into the parameters box.</summary>
    private void ChooseProfile(long? id)
    {
        profileId = id;
        profileError = null;
        var profile = choices?.Profiles.FirstOrDefault(p => p.Id == id);
        parameters = profile is null ? "" : ProvisionInput.Format(profile.Defaults);
    }

    private string ProfileName(long? id) => choices?.Profiles.FirstOrDefault(p => p.Id == id)?.Name ?? "";

    /// <summary>The machines to start, in the order the form lists them, so {n} numbers them the way the person saw them.</summary>
    private List<ProvisionCandidate> Targets => choices!.Machines.Where(m => selected.Contains(m.Id)).ToList();

    private bool Validate(out Dictionary<string, string> parsed)
    {
        var count = Targets.Count;
        machinesError = count == 0 ? "Tick at least one machine to provision." : null;
        profileError = profileId is not { } id ? "Choose an OS profile."
            : choices!.Profiles.All(p => p.Id != id) ? "That OS profile is gone; choose another." : null;
        hostnameError = ProvisionInput.CheckPattern(hostname, Math.Max(count, 1));
        sshError = ProvisionInput.CheckSshKeys(sshKeys);
        parsed = ProvisionInput.Parameters(parameters, out parametersError);
        return machinesError is null && profileError is null && hostnameError is null && sshError is null && parametersError is null;
    }

    private async Task StartAsync()
    {
        if (busy || !Validate(out var parsed)) return;
        busy = true;
        try
        {
            var targets = Targets.Select((m, i) => new DeploymentRuns.Target(m.Id, m.Name, ProvisionInput.Hostname(hostname!, i + 1, m.Name))).ToList();
            results = await RunAsync(targets, parsed);
        }
        finally
        {
            busy = false;
        }
        if (results.Count > 0 && results.All(r => r.Started))
        {
            Snackbar.Add(results is [var one] ? one.Message : $"Started {results.Count} deployments: {string.Join(", ", results.Select(r => r.Hostname))}.", Severity.Success);
            Navigation.NavigateTo(results is [var single] ? $"/deployments/{single.DeploymentId}" : "/deployments");
            return;
        }
        // Some were refused: the started ones are Provisioning now and drop out of the ticked list.
        await LoadChoicesAsync();
        selected.RemoveWhere(id => choices!.Machines.All(m => m.Id != id || !m.CanStart));
    }

    /// <summary>
    /// Like UiActions (role check on the server, work in a scope of its own), but answering per machine:
    /// each machine's start runs in a scope of its own inside DeploymentRuns.
    /// </summary>
    private async Task<List<ProvisionResult>> RunAsync(List<DeploymentRuns.Target> targets, Dictionary<string, string> parsed)
    {
        try
        {
            await User.RequireAsync();
            var who = await User.RequesterAsync();
            await using var scope = Scopes.CreateAsyncScope();
            var runs = scope.ServiceProvider.GetRequiredService<DeploymentRuns>();
            return await runs.StartAsync(targets, profileId!.Value, ProvisionInput.SshKeys(sshKeys), parsed, who, CancellationToken.None);
        }
        catch (AccessDeniedException e)
        {
            Snackbar.Add(e.Message, Severity.Error);
            return [];
        }
    }

    private static string Plural(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";
}
