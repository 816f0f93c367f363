-- 0023 A run that clears the one-time boot override of a UEFI machine also sets a persistent
-- disk-first Boot.BootOrder, unless its profile says not to (on by default, also for existing profiles).
ALTER TABLE "OsProfiles" ADD "SetsDiskFirstBootOrder" boolean NOT NULL DEFAULT TRUE;
ALTER TABLE "OsProfiles" ALTER COLUMN "SetsDiskFirstBootOrder" DROP DEFAULT;
