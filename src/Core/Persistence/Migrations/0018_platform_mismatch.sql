-- 0018 A firmware that boots in another mode than its BMC reports is a warning on the timeline, or
-- fails the run when the profile says so.
ALTER TABLE "OsProfiles" ADD "FailOnPlatformMismatch" boolean NOT NULL DEFAULT FALSE;
ALTER TABLE "OsProfiles" ALTER COLUMN "FailOnPlatformMismatch" DROP DEFAULT;
