using System.Diagnostics.Metrics;

namespace Portal.Live;

/// <summary>The Portal UI's own meter ("Portal.Ui"), for OpenTelemetry or a MeterListener (the UI bench uses it).</summary>
public static class UiMetrics
{
    public const string MeterName = "Portal.Ui";

    public static readonly Meter Meter = new(MeterName);
}
