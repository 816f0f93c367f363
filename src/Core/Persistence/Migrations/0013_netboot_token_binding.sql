-- 0013 Netboot token binding: a run's token fetches the config and posts installer events only
-- from the address that fetched its installer script (unless the profile allows any address),
-- only once the config was fetched, "done" only after "pre", and a wipe's "done" only after its
-- "post". Refused uses are counted; a run accepts a bounded number of installer events.

ALTER TABLE "Deployments" ADD "ScriptFetchedFrom" character varying(64);
ALTER TABLE "Deployments" ADD "ConfigFetchedAt" timestamp with time zone;
ALTER TABLE "Deployments" ADD "InstallerEventCount" integer NOT NULL DEFAULT 0;
ALTER TABLE "Deployments" ADD "InstallerStarted" boolean NOT NULL DEFAULT FALSE;
ALTER TABLE "Deployments" ADD "InstallerPostReported" boolean NOT NULL DEFAULT FALSE;
ALTER TABLE "Deployments" ADD "RefusedTokenUses" integer NOT NULL DEFAULT 0;
ALTER TABLE "OsProfiles" ADD "TokenBoundToAddress" boolean NOT NULL DEFAULT TRUE;

-- Runs in flight at the upgrade keep going: what their timeline already shows is carried over
-- (their token is bound to the address of its first use, see Deployment.TokenRefusal).
UPDATE "Deployments" d SET
    "ConfigFetchedAt" = (SELECT min(e."At") FROM "DeploymentEvents" e WHERE e."DeploymentId" = d."Id" AND e."Kind" = 'Netboot' AND e."Phase" IN ('config', 'user-data')),
    "InstallerStarted" = EXISTS (SELECT 1 FROM "DeploymentEvents" e WHERE e."DeploymentId" = d."Id" AND e."Kind" = 'Installer' AND e."Phase" = 'pre'),
    "InstallerPostReported" = EXISTS (SELECT 1 FROM "DeploymentEvents" e WHERE e."DeploymentId" = d."Id" AND e."Kind" = 'Installer' AND e."Phase" = 'post'),
    "InstallerEventCount" = (SELECT count(*) FROM "DeploymentEvents" e WHERE e."DeploymentId" = d."Id" AND e."Kind" = 'Installer')
WHERE d."State" = 'Active';

-- The defaults only filled the existing rows; new rows get their values from the application.
ALTER TABLE "Deployments" ALTER COLUMN "InstallerEventCount" DROP DEFAULT;
ALTER TABLE "Deployments" ALTER COLUMN "InstallerStarted" DROP DEFAULT;
ALTER TABLE "Deployments" ALTER COLUMN "InstallerPostReported" DROP DEFAULT;
ALTER TABLE "Deployments" ALTER COLUMN "RefusedTokenUses" DROP DEFAULT;
ALTER TABLE "OsProfiles" ALTER COLUMN "TokenBoundToAddress" DROP DEFAULT;
