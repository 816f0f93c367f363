using System.Net;
using Portal.TestSupport;
using Portal.Tests.Support;

namespace Portal.Tests.Health;

public sealed class HealthTests
{
    [Fact]
    public async Task HealthzIs200WhileTheDatabaseAnswersAnd503WhenItIsGone()
    {
        var factory = new PortalFactory();
        await factory.InitializeAsync();
        try
        {
        var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);

        await TestPostgres.DropDatabaseAsync(factory.ConnectionString);

        var response = await client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("Unhealthy", await response.Content.ReadAsStringAsync());
        }
        finally { await factory.DisposeAsync(); }
    }
}
