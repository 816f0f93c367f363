using Portal.Account;
using Portal.Activity;
using Portal.Admin;
using Portal.Api;
using Portal.Discovery;
using Portal.Credentials;
using Portal.Health;
using Portal.Hosting;
using Portal.Live;
using Portal.Machines;
using Portal.Netboot;
using Portal.Provisioning;
using Portal.Shell;

var builder = WebApplication.CreateBuilder(args);

builder.AddPortalLogging();
builder.AddPortalOptions();
builder.AddPortalDatabase();
builder.AddPortalIdentity();
builder.AddPortalDiscovery();
builder.AddPortalScheduler();
builder.AddPortalLive();
builder.AddPortalShell();
builder.AddPortalApi();
builder.AddPortalErrors();
builder.AddPortalCredentials();
builder.AddPortalHealth();
builder.AddPortalNetboot();
builder.AddPortalMachines();
builder.AddPortalProvisioning();
builder.AddPortalLab();

var app = builder.Build();

await app.MigrateDatabaseAsync();
await app.BootstrapAdminAsync();

app.UsePortalTrustedProxies();
app.UsePortalSecurityHeaders();
app.UsePortalShell();
app.MapPortalHealth();
app.MapAccountEndpoints();
app.MapMachineEndpoints();
app.MapProvisioningEndpoints();
app.MapPortalApi();
app.MapPortalNetboot();
app.MapPortalPages();
app.AnnounceLab();

app.Run();

/// <summary>Entry point type, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;
