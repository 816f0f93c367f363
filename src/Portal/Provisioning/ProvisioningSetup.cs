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

    /// <summary>/api/v1/deployments (the provisioning pages are interactive components).</summary>
    public static void MapProvisioningEndpoints(this WebApplication app) => app.MapDeploymentApi();
}
