-- 0015 Secrets at rest (issue 13, finding 2): a run's netboot token is stored as its SHA-256 (for
-- lookup) and, for new runs, encrypted with Data Protection (to serve its script again); the kept
-- script and config hold a placeholder instead of the token. A dump of this table opens no run.

ALTER TABLE "Deployments" ADD "TokenHash" character varying(64);
ALTER TABLE "Deployments" ADD "ProtectedToken" text;

-- Existing tokens: hashed (an in-flight installer keeps using its token; the run renews it only if
-- its machine fetches the script again, see DeploymentTokens.Reveal) and taken out of the kept files.
UPDATE "Deployments" SET
    "TokenHash" = encode(sha256(convert_to("Token", 'UTF8')), 'hex'),
    "IpxeScript" = replace("IpxeScript", "Token", '[netboot-token]'),
    "Config" = replace("Config", "Token", '[netboot-token]');

ALTER TABLE "Deployments" ALTER COLUMN "TokenHash" SET NOT NULL;
DROP INDEX "IX_Deployments_Token";
ALTER TABLE "Deployments" DROP COLUMN "Token";
CREATE UNIQUE INDEX "IX_Deployments_TokenHash" ON "Deployments" ("TokenHash");

-- A user's action lost to a background write (finding 8): machines are checked for concurrent
-- decisions with a revision that only decisions count up (state, holder, maintenance, tags), not
-- with xmin, which every write of the row changes (a power refresh every few seconds).
ALTER TABLE "Machines" ADD "Revision" integer NOT NULL DEFAULT 0;
ALTER TABLE "Machines" ALTER COLUMN "Revision" DROP DEFAULT;
