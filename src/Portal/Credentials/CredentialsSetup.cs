using Portal.Core.Credentials;

namespace Portal.Credentials;

internal static class CredentialsSetup
{
    public static void AddPortalCredentials(this WebApplicationBuilder builder) =>
        builder.Services.AddCredentialImport();
}
