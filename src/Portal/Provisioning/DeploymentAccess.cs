using Portal.Core.Provisioning;
using Portal.Core.Reservations;

namespace Portal.Provisioning;

/// <summary>
/// Who sees a deployment: the person who asked for it, whoever holds the machine now (its history
/// is theirs to diagnose), Operators and Admins. Everyone else is told there is no such deployment.
/// </summary>
internal static class DeploymentAccess
{
    public static IQueryable<Deployment> VisibleTo(this IQueryable<Deployment> deployments, Requester who) =>
        who.IsOperator ? deployments : deployments.Where(d => d.RequestedById == who.UserId || d.Machine!.ReservedById == who.UserId);

    /// <summary>
    /// The files as served (the config may carry a root password hash), the SSH keys and parameters:
    /// only for the requester, Operators and Admins — not for the next holder of the machine.
    /// </summary>
    public static bool MaySeeServedFiles(this Requester who, Deployment deployment) =>
        who.IsOperator || deployment.RequestedById == who.UserId;
}
