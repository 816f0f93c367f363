namespace Portal.Core.Provisioning;

/// <summary>
/// Whether machines can be told where this Portal is. A run's stored script and config carry the
/// Portal's URL, so without a configured one a run cannot start (the netboot side implements this).
/// </summary>
public interface INetbootAddress
{
    /// <summary>Why no run can netboot now, for people (the provision form, the API); null when it can.</summary>
    string? Problem { get; }
}
