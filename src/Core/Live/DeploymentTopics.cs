namespace Portal.Core.Live;

/// <summary>
/// A deployment changed: its own timeline ("deployment:42") and the operators' dashboard of
/// running deployments ("deployments") both show it, so every change goes to both topics.
/// </summary>
public static class DeploymentTopics
{
    public const string All = "deployments";

    public static string Of(long deploymentId) => $"deployment:{deploymentId}";

    public static async Task DeploymentChangedAsync(this ILiveUpdates live, long deploymentId, CancellationToken ct = default)
    {
        await live.ChangedAsync(Of(deploymentId), ct);
        await live.ChangedAsync(All, ct);
    }
}
