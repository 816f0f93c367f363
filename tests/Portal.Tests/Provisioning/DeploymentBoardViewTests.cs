using Portal.Core.Provisioning;
using Portal.Core.Provisioning.Workflow;
using Portal.Provisioning;
using Portal.Tests.Support;

namespace Portal.Tests.Provisioning;

/// <summary>The dashboard's lists rendered on their own, from rows as the board query returns them.</summary>
public sealed class DeploymentBoardViewTests : ComponentTest
{
    private static DeploymentRow Row(long id, DeploymentState state, ProvisioningStep? step, string? queueReason = null, string? failure = null) =>
        new(id, 100 + id, $"node-{id}", $"host{id}.lab", 1, "Lab installer", "alice@lab", state, step, 1, null, null, failure,
            DateTimeOffset.UtcNow.AddMinutes(-5), state == DeploymentState.Active ? null : DateTimeOffset.UtcNow, step == ProvisioningStep.Queued ? 0 : 40,
            QueueReason: queueReason);

    [Fact]
    public void AQueuedRunSaysWhatItWaitsForAndTheCountOfQueuedRunsIsShown()
    {
        var board = new DeploymentBoard(true,
            [Row(1, DeploymentState.Active, ProvisioningStep.WaitForScriptFetch), Row(2, DeploymentState.Active, ProvisioningStep.Queued, "20 runs in progress (limit 20)")],
            [Row(3, DeploymentState.Failed, ProvisioningStep.Failed, failure: "kickstart: no <disk>")], [Row(4, DeploymentState.Finished, ProvisioningStep.Deployed)]);

        var view = RenderInteractive<DeploymentBoardView>(p => p.Add(v => v.Board, board));

        Assert.Equal("Waits: 20 runs in progress (limit 20)", view.Find("tr[data-deployment-id='2'] [data-queue-reason]").TextContent.Trim());
        Assert.Empty(view.FindAll("tr[data-deployment-id='1'] [data-queue-reason]"));
        Assert.Equal("1 queued", view.Find("#queued-count").TextContent.Trim());
        Assert.Equal("kickstart: no <disk>", view.Find("#failed-deployments tr[data-deployment-id='3'] .failure-reason").TextContent);
        Assert.Equal("Finished", view.Find("#ended-deployments tr[data-deployment-id='4'] [data-state]").GetAttribute("data-state"));
    }
}
