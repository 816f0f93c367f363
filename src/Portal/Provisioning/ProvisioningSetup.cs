using Portal.Core.Provisioning.Workflow;

namespace Portal.Provisioning;

internal static class ProvisioningSetup
{
    /// <summary>The provisioning workflow: deployments run as Quartz jobs (section "Provisioning").</summary>
    public static void AddPortalProvisioning(this WebApplicationBuilder builder)
    {
        builder.Services.AddProvisioningWorkflow(builder.Configuration);
        builder.Services.AddScoped<DeploymentRuns>();
    }

    /// <summary>Cancel/retry forms, the live fragments and /api/v1/deployments (the pages are Razor components).</summary>
    public static void MapProvisioningEndpoints(this WebApplication app)
    {
        app.MapDeploymentForms();
        app.MapDeploymentFragments();
        app.MapDeploymentApi();
    }
}
