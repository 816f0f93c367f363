using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Reservations;

/// <summary>Reservation lengths (configuration section "Reservations", set by the Admin who runs the portal).</summary>
public sealed class ReservationOptions : IValidatableObject
{
    public const string SectionName = "Reservations";

    /// <summary>Length offered when the user does not choose one.</summary>
    [Range(1, 24 * 365)] public int DefaultHours { get; set; } = 24;

    /// <summary>Longest reservation (and longest extension, counted from now).</summary>
    [Range(1, 24 * 365)] public int MaxHours { get; set; } = 24 * 7;

    /// <summary>How often lapsed reservations are released.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")] public TimeSpan ExpiryInterval { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan Default => TimeSpan.FromHours(DefaultHours);
    public TimeSpan Max => TimeSpan.FromHours(MaxHours);

    /// <summary>Durations offered in the UI: a few common ones up to the maximum, plus the default.</summary>
    public IReadOnlyList<int> OfferedHours =>
        new[] { 1, 4, 8, 24, 72, 168, 336, 720 }.Where(h => h <= MaxHours).Append(DefaultHours).Append(MaxHours).Distinct().Order().ToList();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DefaultHours > MaxHours)
            yield return new ValidationResult($"Reservations:DefaultHours ({DefaultHours}) must not exceed Reservations:MaxHours ({MaxHours}).");
    }
}
