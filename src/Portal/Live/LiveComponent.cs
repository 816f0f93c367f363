using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Components;

namespace Portal.Live;

/// <summary>
/// A component that shows data others change: it loads when its parameters are set and again
/// whenever one of its topics changes anywhere (any Portal instance, or SQL), through the
/// <see cref="LiveEventHub"/>. Bursts are coalesced (one reload running, at most one pending);
/// the subscription ends when the component is disposed.
/// </summary>
public abstract class LiveComponent : ComponentBase, IDisposable
{
    [Inject] private LiveEventHub Hub { get; set; } = default!;
    [Inject] private ILogger<LiveComponent> Logger { get; set; } = default!;

    private IDisposable? subscription;
    private LiveReloader? reloader;

    /// <summary>Whether a change of <paramref name="topic"/> ("machine:42", "audit") may change what this shows.</summary>
    protected abstract bool ShowsTopic(string topic);

    /// <summary>Reads what the component shows (through a short-lived DbContext, never one kept for the circuit).</summary>
    protected abstract Task LoadAsync();

    protected override void OnInitialized()
    {
        reloader = new LiveReloader(() => InvokeAsync(ReloadAsync));
        subscription = Hub.Subscribe(topic => topic is null || ShowsTopic(topic) ? reloader.RequestAsync() : Task.CompletedTask);
    }

    protected override Task OnParametersSetAsync() => TimedLoadAsync();

    /// <summary>How long pages take to read what they show, per component (first load, parameter change, live reload).</summary>
    private static readonly Histogram<double> LoadDuration = UiMetrics.Meter.CreateHistogram<double>(
        "portal.ui.load.duration", unit: "s", description: "Time a live component spends loading what it shows");

    private async Task TimedLoadAsync()
    {
        var started = Stopwatch.GetTimestamp();
        await LoadAsync();
        RecordLoad(started);
    }

    /// <summary>Records a load that began at <paramref name="started"/> (a <see cref="Stopwatch"/> timestamp) and just ended; for loads a grid starts itself.</summary>
    protected void RecordLoad(long started) =>
        LoadDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, new KeyValuePair<string, object?>("component", GetType().Name));

    private async Task ReloadAsync()
    {
        try
        {
            await TimedLoadAsync();
            StateHasChanged();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Keep showing the last good data; the next change tries again.
            Logger.LogWarning(e, "Live reload of {Component} failed", GetType().Name);
        }
    }

    public virtual void Dispose()
    {
        subscription?.Dispose();
        GC.SuppressFinalize(this);
    }
}
