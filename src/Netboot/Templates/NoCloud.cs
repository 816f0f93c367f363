using Portal.Netboot.Inputs;

namespace Portal.Netboot.Templates;

/// <summary>
/// Ubuntu's installer reads its autoinstall through cloud-init's NoCloud source, which fetches
/// <c>user-data</c> (the rendered template) and <c>meta-data</c> (this) from the seed URL.
/// </summary>
public static class NoCloud
{
    public static string MetaData(NetbootDeployment deployment)
    {
        TemplateModel.CheckDeployment(deployment);
        return $"instance-id: portal-deployment-{deployment.Id}\nlocal-hostname: {deployment.Hostname}\n";
    }
}
