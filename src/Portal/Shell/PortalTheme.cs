using MudBlazor;

namespace Portal.Shell;

/// <summary>The MudBlazor theme. Typography uses the system font stack: no web font is fetched.</summary>
internal static class PortalTheme
{
    private static readonly string[] SystemFonts = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"];

    public static readonly MudTheme Theme = new()
    {
        // Secondary is a quiet slate, not Material's pink: pages use it for muted text and minor actions.
        PaletteLight = new PaletteLight { Primary = "#1976d2", Secondary = "#5f6b7a", AppbarBackground = "#1e2a38", Background = "#f6f7f9" },
        PaletteDark = new PaletteDark { Primary = "#64b5f6", Secondary = "#9aa7b6", AppbarBackground = "#151c25" },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = SystemFonts },
            H1 = new H1Typography { FontFamily = SystemFonts },
            H2 = new H2Typography { FontFamily = SystemFonts },
            H3 = new H3Typography { FontFamily = SystemFonts },
            H4 = new H4Typography { FontFamily = SystemFonts },
            H5 = new H5Typography { FontFamily = SystemFonts },
            H6 = new H6Typography { FontFamily = SystemFonts },
            Button = new ButtonTypography { FontFamily = SystemFonts },
            Body1 = new Body1Typography { FontFamily = SystemFonts },
            Body2 = new Body2Typography { FontFamily = SystemFonts },
            Subtitle1 = new Subtitle1Typography { FontFamily = SystemFonts },
            Subtitle2 = new Subtitle2Typography { FontFamily = SystemFonts },
            Caption = new CaptionTypography { FontFamily = SystemFonts },
            Overline = new OverlineTypography { FontFamily = SystemFonts },
        },
    };
}
