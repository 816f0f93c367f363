namespace Portal.Lab;

/// <summary>
/// What a BMC does wrong, on purpose. Rates are probabilities per request (0..1); 1 makes a
/// fault deterministic, which is what tests want.
/// </summary>
public sealed record FaultSettings
{
    public static readonly FaultSettings None = new();

    /// <summary>Extra delay before every Redfish answer.</summary>
    public int LatencyMs { get; init; }

    /// <summary>Share of requests answered with <see cref="ErrorStatusCode"/>.</summary>
    public double ErrorRate { get; init; }

    /// <summary>500 or 503 (503 also sends Retry-After like a busy BMC).</summary>
    public int ErrorStatusCode { get; init; } = 500;

    /// <summary>Share of requests that never get an answer: the BMC hangs until the client gives up.</summary>
    public double TimeoutRate { get; init; }

    /// <summary>Share of JSON answers cut off half-way (status 200, unparsable body).</summary>
    public double MalformedJsonRate { get; init; }

    /// <summary>Reject every credential and token with 401, as a BMC whose password was changed would.</summary>
    public bool FailAuth { get; init; }

    /// <summary>Show Boot.BootOrder but answer a PATCH of it with 400 PropertyNotWritable, as firmware that takes a new order only in its setup menu does.</summary>
    public bool ReadOnlyBootOrder { get; init; }

    internal bool IsNone => this == None;
}
