using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Credentials;
using Portal.Core.DataProtection;
using Portal.Core.Persistence;
using Portal.Core.Provisioning;
using Portal.Tests.Support;
using Portal.TestSupport;
using static Portal.Tests.Netboot.NetbootTestData;

namespace Portal.Tests.Security;

/// <summary>
/// Issue 13, finding 2: what a dump of the database gives away. The key ring is encrypted with a
/// certificate the database does not hold, and netboot tokens are kept hashed (and encrypted).
/// </summary>
public sealed class SecretsAtRestTests(PortalFactory factory) : IClassFixture<PortalFactory>
{
    [Fact]
    public async Task ADatabaseDumpAloneOpensNoBmcPasswordAndNoNetbootRun()
    {
        var sealedPassword = factory.Services.GetRequiredService<CredentialProtector>().Protect("bmc-secret-42");
        var (mac, uuid, serial) = NewIdentity();
        var (deploymentId, token) = await factory.StartDeploymentAsync(await factory.CreateMachineAsync(mac, uuid, serial));
        var machine = factory.CreateClient();
        var script = await machine.GetStringAsync(ScriptUrl(mac, uuid, serial));
        Assert.Contains(token, script);

        // The dump: every key of the ring, and the run's row as stored.
        var keys = await factory.WithDbAsync(db => db.DataProtectionKeys.Select(k => k.Xml).ToListAsync());
        var row = await factory.WithDbAsync(db => db.Deployments.AsNoTracking().SingleAsync(d => d.Id == deploymentId));
        Assert.NotEmpty(keys);
        Assert.All(keys, xml => Assert.Contains("encryptedSecret", xml));
        Assert.All(keys, xml => Assert.DoesNotContain("<value>", xml));
        Assert.All(new[] { row.TokenHash, row.ProtectedToken, row.IpxeScript, row.Config }, column => Assert.DoesNotContain(token, column));
        Assert.Equal(HttpStatusCode.NotFound, (await machine.GetAsync($"/netboot/config/{row.TokenHash}")).StatusCode);

        // Data Protection with only the database cannot open the password or the token...
        await using (var dumpOnly = DataProtectionOn(factory.ConnectionString, certificate: null))
        {
            var provider = dumpOnly.GetRequiredService<IDataProtectionProvider>();
            Assert.ThrowsAny<CryptographicException>(() => new CredentialProtector(provider).Unprotect(sealedPassword));
            Assert.ThrowsAny<CryptographicException>(() => new DeploymentTokens(provider).Reveal(row));
        }
        // ...the same with the certificate can: the certificate, not the database, is the secret.
        await using var withCertificate = DataProtectionOn(factory.ConnectionString, TestKeyRing.CertificatePath);
        var opened = withCertificate.GetRequiredService<IDataProtectionProvider>();
        Assert.Equal("bmc-secret-42", new CredentialProtector(opened).Unprotect(sealedPassword));
        Assert.Equal(token, new DeploymentTokens(opened).Reveal(row));
    }

    [Fact]
    public async Task APortalOutsideDevelopmentWithoutAKeyRingCertificateRefusesToStartAndSaysHowToMakeOne()
    {
        await using var portal = new WithoutKeyRingCertificate();
        await portal.InitializeAsync();
        var e = Assert.Throws<InvalidOperationException>(() => portal.Services);
        Assert.Contains(KeyRingCertificate.ConfigKey, e.Message);
        Assert.Contains("openssl req -x509", e.Message);
    }

    private static ServiceProvider DataProtectionOn(string connectionString, string? certificate)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPortalPersistence(connectionString);
        if (certificate is not null) services.ProtectKeyRingWith(certificate);
        // Reading only: a key it cannot decrypt must not make it write a new one into the ring.
        services.AddDataProtection().DisableAutomaticKeyGeneration();
        return services.BuildServiceProvider();
    }

    private sealed class WithoutKeyRingCertificate : PortalFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment("Production");
            builder.UseSetting(KeyRingCertificate.ConfigKey, "");
        }
    }
}
