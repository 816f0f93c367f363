using System.ComponentModel.DataAnnotations;

namespace Portal.Hosting;

/// <summary>Configuration section "Portal".</summary>
public sealed class PortalOptions
{
    public const string Section = "Portal";

    /// <summary>Where generated files live (initial-admin.txt…). `make run` uses ./.data.</summary>
    [Required] public string DataDirectory { get; set; } = ".data";

    /// <summary>First admin, used only when no admin exists yet (PORTAL_ADMIN_EMAIL / PORTAL_ADMIN_PASSWORD).</summary>
    public string? AdminEmail { get; set; }
    public string? AdminPassword { get; set; }

    /// <summary>
    /// Whether a configured AdminPassword must be changed at the admin's first sign-in (default true:
    /// a password that sits in an environment or a compose file is not a personal secret).
    /// </summary>
    public bool AdminMustChangePassword { get; set; } = true;
}
