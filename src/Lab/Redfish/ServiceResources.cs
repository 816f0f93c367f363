using System.Text.Json.Nodes;
using static Portal.Lab.Redfish.Json;

namespace Portal.Lab.Redfish;

/// <summary>Service root, OData service document, SessionService and AccountService.</summary>
internal static class ServiceResources
{
    public const string Root = "/redfish/v1";

    public static JsonObject Versions() => new() { ["v1"] = "/redfish/v1/" };

    public static JsonObject ServiceRoot(LabBmc bmc)
    {
        var o = Resource(Root, "#ServiceRoot.v1_16_0.ServiceRoot", "RootService", "Root Service");
        o["RedfishVersion"] = "1.17.0";
        o["UUID"] = bmc.ServiceUuid.ToString();
        o["Vendor"] = bmc.Profile.Vendor;
        o["Product"] = bmc.Profile.Product;
        o["Systems"] = Link($"{Root}/Systems");
        o["Chassis"] = Link($"{Root}/Chassis");
        o["Managers"] = Link($"{Root}/Managers");
        o["SessionService"] = Link($"{Root}/SessionService");
        o["AccountService"] = Link($"{Root}/AccountService");
        o["EventService"] = Link(EventResources.ServicePath);
        o["Links"] = new JsonObject { ["Sessions"] = Link($"{Root}/SessionService/Sessions") };
        o["ProtocolFeaturesSupported"] = new JsonObject
        {
            ["ExpandQuery"] = new JsonObject { ["ExpandAll"] = false, ["Levels"] = false, ["Links"] = false, ["NoLinks"] = false },
            ["FilterQuery"] = false,
            ["SelectQuery"] = false,
        };
        return o;
    }

    public static JsonObject ODataServiceDocument()
    {
        string[] names = ["Systems", "Chassis", "Managers", "SessionService", "AccountService", "EventService"];
        return new JsonObject
        {
            ["@odata.context"] = "/redfish/v1/$metadata",
            ["value"] = new JsonArray(names
                .Select(n => (JsonNode?)new JsonObject { ["name"] = n, ["kind"] = "Singleton", ["url"] = $"{Root}/{n}" })
                .ToArray()),
        };
    }

    public static JsonObject SessionService(LabBmc bmc)
    {
        var o = Resource($"{Root}/SessionService", "#SessionService.v1_1_9.SessionService", "SessionService", "Session Service");
        o["ServiceEnabled"] = true;
        o["SessionTimeout"] = Math.Max(1, (int)bmc.Security.SessionTimeout.TotalSeconds);
        o["Sessions"] = Link($"{Root}/SessionService/Sessions");
        o["Status"] = Status();
        return o;
    }

    public static JsonObject Sessions(LabBmc bmc) =>
        Collection($"{Root}/SessionService/Sessions", "SessionCollection", "Session Collection",
            bmc.Security.List().Select(s => SessionUri(s.Id)));

    public static string SessionUri(string id) => $"{Root}/SessionService/Sessions/{id}";

    public static JsonObject Session(RedfishSession s)
    {
        var o = Resource(SessionUri(s.Id), "#Session.v1_7_0.Session", s.Id, "User Session");
        o["UserName"] = s.UserName;
        o["Password"] = null; // always null on read, per the schema
        o["SessionType"] = "Redfish";
        o["CreatedTime"] = s.Created.ToString("yyyy-MM-ddTHH:mm:ssK");
        return o;
    }

    public static JsonObject AccountService(LabBmc bmc, LabOptions options)
    {
        var o = Resource($"{Root}/AccountService", "#AccountService.v1_15_0.AccountService", "AccountService", "Account Service");
        o["ServiceEnabled"] = true;
        o["MinPasswordLength"] = 8;
        o["MaxPasswordLength"] = 40;
        o["AccountLockoutThreshold"] = options.LockoutThreshold;
        o["AccountLockoutDuration"] = (int)options.LockoutDuration.TotalSeconds;
        o["AccountLockoutCounterResetAfter"] = (int)options.LockoutDuration.TotalSeconds;
        o["AccountLockoutCounterResetEnabled"] = true;
        o["Accounts"] = Link($"{Root}/AccountService/Accounts");
        o["Status"] = Status();
        return o;
    }

    // Dell numbers its accounts from 2 (root); the others from 1.
    public static string AccountId(LabBmc bmc) => bmc.Profile == VendorProfiles.Dell ? "2" : "1";

    public static JsonObject Accounts(LabBmc bmc) =>
        Collection($"{Root}/AccountService/Accounts", "ManagerAccountCollection", "Accounts Collection",
            [$"{Root}/AccountService/Accounts/{AccountId(bmc)}"]);

    public static JsonObject Account(LabBmc bmc)
    {
        var id = AccountId(bmc);
        var o = Resource($"{Root}/AccountService/Accounts/{id}", "#ManagerAccount.v1_12_0.ManagerAccount", id, "User Account");
        o["UserName"] = bmc.Username;
        o["Password"] = null;
        o["RoleId"] = "Administrator";
        o["Enabled"] = true;
        o["Locked"] = bmc.IsLockedOut;
        o["AccountTypes"] = Strings(["Redfish", "WebUI", "IPMI"]);
        return o;
    }
}
