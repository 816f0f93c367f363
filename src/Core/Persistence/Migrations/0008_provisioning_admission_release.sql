-- 0008 provisioning: admission control (runs wait in a Queued step, with the reason shown),
-- release runs (power off, optionally wipe first) and profiles that restart into the new OS.

ALTER TABLE "Deployments" ADD "Kind" character varying(16) NOT NULL DEFAULT 'Install';
ALTER TABLE "Deployments" ALTER COLUMN "Kind" DROP DEFAULT;
-- A release without a wipe boots nothing, so it has no profile.
ALTER TABLE "Deployments" ALTER COLUMN "ProfileId" DROP NOT NULL;

ALTER TABLE "DeploymentWorkflows" ADD "QueueReason" character varying(500);

ALTER TABLE "OsProfiles" ADD "RestartAfterInstall" boolean NOT NULL DEFAULT FALSE;
ALTER TABLE "OsProfiles" ALTER COLUMN "RestartAfterInstall" DROP DEFAULT;
