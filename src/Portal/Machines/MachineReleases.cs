using Portal.Core.Provisioning.Workflow;
using Portal.Shell;

namespace Portal.Machines;

/// <summary>Release as both machine pages do it: through provisioning (a deployed machine goes through a release run).</summary>
internal static class MachineReleases
{
    /// <summary>Releases; returns the release run's id when one started (its timeline is worth showing).</summary>
    public static async Task<(bool Done, long? RunId)> ReleaseAsync(this UiActions actions, long machineId, ReleaseChoice choice)
    {
        long? run = null;
        var done = await actions.RunAsync([], async (services, who) =>
        {
            var started = await services.GetRequiredService<ProvisioningService>().ReleaseAsync(machineId, choice.WipeProfileId, who);
            run = started.DeploymentId;
            return started.Outcome;
        });
        return (done, run);
    }
}
