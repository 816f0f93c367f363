using Npgsql;

namespace Portal.Bench;

/// <summary>
/// The catalogue of the benches: machines of varied hardware in an empty, migrated database.
/// Shared by the catalogue and UI benches (compiled into each).
/// </summary>
internal static class CatalogueSeed
{
    /// <summary>Realistic catalogue views of this hardware (query strings as the catalogue's URL carries them).</summary>
    public static readonly string[] Queries =
    [
        "", "cores=64", "gpus=1&sort=memory&dir=desc", "cpu=EPYC&memory=256", "disk=NVMe&storage=4000", "tag=rack-a&sort=cores",
        "state=any&sort=cores&dir=desc&page=20", "arch=aarch64", "vendor=Dell%20Inc.&model=PowerEdge%20R750", "nic=25000&gpu=NVIDIA%20H100%20PCIe",
        "threads=128&sort=name&page=5", "state=Reserved&sort=power",
    ];

    /// <summary>Varied hardware generated in SQL (one statement): realistic mixes of CPUs, memory, GPUs, disks, NICs, states and tags.</summary>
    public static async Task SeedAsync(string cs, int count)
    {
        await using var conn = new NpgsqlConnection(cs);
        await conn.OpenAsync();
        var sql = $$"""
            INSERT INTO "Bmcs" ("Mac","Address","Port","UseHttps","Status","CreatedAt","CredentialSource") VALUES ('02:be:00:00:00:01','127.0.0.1',443,true,'Reachable',now(),'None');
            WITH g AS (SELECT i, hashint4(i) AS h, hashint4(i * 7 + 3) AS h2 FROM generate_series(1, {{count}}) i),
            c AS (SELECT i, h, h2,
                (ARRAY['AMD EPYC 7313 16-Core Processor','AMD EPYC 7543 32-Core Processor','AMD EPYC 7763 64-Core Processor','AMD EPYC 9554 64-Core Processor',
                       'Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz','Intel(R) Xeon(R) Platinum 8380 CPU @ 2.30GHz','Intel(R) Xeon(R) Silver 4314 CPU @ 2.40GHz','Ampere Altra Q80-30'])[1 + abs(h) % 8] AS cpu,
                (ARRAY[16,32,64,64,32,40,16,80])[1 + abs(h) % 8] AS cores_per, 1 + abs(h2) % 2 AS sockets,
                (ARRAY['Dell Inc.','HPE','Lenovo','Supermicro','GIGABYTE'])[1 + abs(h2 / 7) % 5] AS vendor,
                (ARRAY['PowerEdge R750','ProLiant DL380 Gen10 Plus','ThinkSystem SR650 V2','SYS-620U','G292-Z20'])[1 + abs(h2 / 7) % 5] AS model,
                (ARRAY[0,0,0,0,1,2,4,8])[1 + abs(h / 11) % 8] AS gpus,
                (ARRAY['NVIDIA A100 80GB PCIe','NVIDIA H100 PCIe','NVIDIA L40S','NVIDIA Tesla T4','AMD Instinct MI210'])[1 + abs(h / 13) % 5] AS gpu,
                (ARRAY[64,128,256,384,512,768,1024,2048])[1 + abs(h2 / 3) % 8]::bigint AS mem,
                (ARRAY['NVMe','SSD','HDD','NVMe'])[1 + abs(h / 17) % 4] AS disk,
                (ARRAY[960,1920,3840,7680,16000])[1 + abs(h2 / 5) % 5]::bigint * (1 + abs(h / 19) % 4) AS storage,
                (ARRAY[1000,10000,25000,100000])[1 + abs(h2 / 11) % 4]::bigint AS nic,
                (ARRAY['Available','Available','Available','Available','Available','Available','Available','Reserved','Reserved','Deployed','Maintenance','Failed'])[1 + abs(h2 / 13) % 12] AS state,
                (ARRAY['On','Off','Off'])[1 + abs(h / 23) % 3] AS power
              FROM g)
            INSERT INTO "Machines" ("BmcId","RedfishId","Name","Uuid","Serial","Manufacturer","Model","Architecture","BootMode","CpuModel","CpuSockets","CpuCores","CpuThreads",
                "MemoryBytes","GpuCount","DiskTotalBytes","NicMaxSpeedMbps","PowerState","State","CreatedAt","UpdatedAt","Disks","Gpus","Nics",
                "Tags","GpuModels","DiskKinds","ReservedById","ReservedByName","ReservedUntil","Revision")
            SELECT 1, '/redfish/v1/Systems/' || i, 'node-' || lpad(i::text, 6, '0'), gen_random_uuid(), 'SN' || i, vendor, model,
                CASE WHEN cpu LIKE 'Ampere%' THEN 'aarch64' ELSE 'x86_64' END, 'UEFI', cpu,
                CASE WHEN cpu LIKE 'Ampere%' THEN 1 ELSE sockets END,
                cores_per * CASE WHEN cpu LIKE 'Ampere%' THEN 1 ELSE sockets END,
                cores_per * CASE WHEN cpu LIKE 'Ampere%' THEN 1 ELSE 2 * sockets END,
                mem << 30, gpus, storage * 1000000000, nic, power, state, now(), now(),
                jsonb_build_array(jsonb_build_object('Model','Disk','MediaType',CASE WHEN disk = 'HDD' THEN 'HDD' ELSE 'SSD' END,'Protocol',CASE WHEN disk = 'NVMe' THEN 'NVMe' ELSE 'SATA' END,'CapacityBytes',storage * 1000000000,'Serial',null)),
                CASE WHEN gpus = 0 THEN '[]'::jsonb ELSE (SELECT jsonb_agg(x.o) FROM (SELECT jsonb_build_object('Model', gpu, 'Vendor', 'NVIDIA') AS o FROM generate_series(1, gpus)) x) END,
                jsonb_build_array(jsonb_build_object('Mac', '02:00:' || lpad(to_hex(i), 8, '0'), 'SpeedMbps', nic, 'Name', 'NIC1')),
                CASE abs(h / 29) % 5 WHEN 0 THEN ARRAY['rack-a'] WHEN 1 THEN ARRAY['rack-b'] WHEN 2 THEN ARRAY['gpu-pool','rack-c'] WHEN 3 THEN ARRAY[]::text[] ELSE ARRAY['loaner'] END,
                CASE WHEN gpus = 0 THEN ARRAY[]::text[] ELSE ARRAY[gpu] END, ARRAY[disk],
                CASE WHEN state IN ('Reserved','Deployed') THEN 'user-' || (i % 50) END,
                CASE WHEN state IN ('Reserved','Deployed') THEN 'user' || (i % 50) || '@example.com' END,
                CASE WHEN state IN ('Reserved','Deployed') THEN now() + interval '1 day' END, 0
              FROM c;
            """;
        await using (var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 600 })
            await cmd.ExecuteNonQueryAsync();
        // What autovacuum does to a table that has settled: statistics for the planner, and the
        // visibility map that lets the facet counts read the covering index without the heap
        // (VACUUM cannot run in the seeding statement's implicit transaction, hence on its own).
        await using (var vacuum = new NpgsqlCommand("VACUUM (ANALYZE) \"Machines\"", conn) { CommandTimeout = 600 })
            await vacuum.ExecuteNonQueryAsync();
    }
}
