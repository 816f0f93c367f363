using Portal.Core.Provisioning;
using Portal.Core.Provisioning.Workflow;

namespace Portal.Core.Tests.Provisioning;

public sealed class ProvisioningStepTests
{
    [Theory]
    [InlineData(DeploymentState.Finished, ProvisioningStep.WaitForInstallerDone, ProvisioningStep.ClearOverride)] // done arrived, the run has not looked yet
    [InlineData(DeploymentState.Finished, ProvisioningStep.WaitForConfigFetch, ProvisioningStep.ClearOverride)]
    [InlineData(DeploymentState.Finished, ProvisioningStep.Restart, ProvisioningStep.Restart)]
    [InlineData(DeploymentState.Active, ProvisioningStep.WaitForInstallerDone, ProvisioningStep.WaitForInstallerDone)]
    [InlineData(DeploymentState.Failed, ProvisioningStep.WaitForInstallerDone, ProvisioningStep.WaitForInstallerDone)]
    public void AfterTheInstallersDoneARunIsSeenClearingTheOverrideNotWaitingForTheInstaller(DeploymentState state, ProvisioningStep step, ProvisioningStep seen) =>
        Assert.Equal(seen, step.AsSeen(state));
}
