using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Portal.Ui.Bench;

/// <summary>
/// Reads the server's own metrics in this process: Blazor's count of circuits in memory, and the
/// time components spend on events and loads, as the Portal and ASP.NET Core record
/// them (no timing of our own). Parameter-update durations are left out: one record per component
/// render would sit in this process's heap and count as circuit memory.
/// Started before the Portal, so the circuit counter sees every change.
/// </summary>
internal sealed class ServerProbe : IDisposable
{
    public const string CircuitsMeter = "Microsoft.AspNetCore.Components.Server.Circuits";
    public const string ActiveCircuits = "aspnetcore.components.circuit.active";
    public const string ComponentsMeter = "Microsoft.AspNetCore.Components";
    public const string HandleEvent = "aspnetcore.components.handle_event.duration";
    public const string LoadDuration = "portal.ui.load.duration";
    public const string LifecycleMeter = "Microsoft.AspNetCore.Components.Lifecycle";
    public const string UpdateParameters = "aspnetcore.components.update_parameters.duration";
    public const string RenderDiff = "aspnetcore.components.render_diff.duration";

    private readonly MeterListener listener = new();
    private long circuits;

    /// <summary>Durations in the order recorded, with the instrument's name and the component's type name.</summary>
    public ConcurrentQueue<Duration> Durations { get; } = new();

    public long Circuits => Interlocked.Read(ref circuits);

    /// <summary>
    /// With <c>profile</c> on: per component type, how often its parameters were set (each a render)
    /// and for how long, and the render batches' diff time — summed while <see cref="Profiling"/> is
    /// set, never kept per record. A diagnosis aid (UI_BENCH_PROFILE), off for the figures.
    /// </summary>
    public ConcurrentDictionary<string, (int Count, double Seconds)> Renders { get; } = new();

    public bool Profiling { get; set; }

    public ServerProbe(string uiMeter, bool profile = false)
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if ((instrument.Meter.Name, instrument.Name) is (CircuitsMeter, ActiveCircuits) or (ComponentsMeter, HandleEvent)
                || (instrument.Meter.Name == uiMeter && instrument.Name == LoadDuration)
                || (profile && instrument.Meter.Name == LifecycleMeter && instrument.Name is UpdateParameters or RenderDiff))
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref circuits, value));
        listener.SetMeasurementEventCallback<int>((_, value, _, _) => Interlocked.Add(ref circuits, value));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            // Portal.Ui tags "component" with the type's name; ASP.NET Core tags "aspnetcore.components.type"
            // with the full name ("component.type" in previews).
            string? component = null;
            foreach (var tag in tags)
                if (tag.Key == "component" || tag.Key.EndsWith("component.type", StringComparison.Ordinal) || tag.Key.EndsWith("components.type", StringComparison.Ordinal))
                    component = tag.Value as string;
            if (instrument.Meter.Name == LifecycleMeter)
            {
                if (Profiling)
                    Renders.AddOrUpdate(instrument.Name == RenderDiff ? "(render batch diff)" : component ?? "?",
                        _ => (1, value), (_, sum) => (sum.Count + 1, sum.Seconds + value));
                return;
            }
            Durations.Enqueue(new Duration(instrument.Name, component ?? "", value));
        });
        listener.Start();
    }

    /// <summary>Waits until Blazor counts exactly <paramref name="expected"/> circuits in memory.</summary>
    public async Task WaitForCircuitsAsync(long expected, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (Circuits != expected)
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"expected {expected} circuits, Blazor counts {Circuits} after {timeout.TotalSeconds:F0} s");
            await Task.Delay(50);
        }
    }

    /// <summary>The durations recorded since <paramref name="mark"/> (a count of <see cref="Durations"/> taken earlier).</summary>
    public List<Duration> Since(int mark) => Durations.Skip(mark).ToList();

    public void Dispose() => listener.Dispose();
}

internal sealed record Duration(string Instrument, string Component, double Seconds);
