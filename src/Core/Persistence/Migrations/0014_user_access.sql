-- 0014 User access: an admin can disable an account (it signs in nowhere, its API tokens are
-- refused), and the User role is what every page and API call needs. Accounts that exist at the
-- upgrade keep working: each is given the User role (created here if start-up has not yet).

ALTER TABLE "AspNetUsers" ADD "DisabledAt" timestamp with time zone;

INSERT INTO "AspNetRoles" ("Id", "Name", "NormalizedName", "ConcurrencyStamp")
SELECT gen_random_uuid()::text, 'User', 'USER', gen_random_uuid()::text
WHERE NOT EXISTS (SELECT 1 FROM "AspNetRoles" WHERE "NormalizedName" = 'USER');

INSERT INTO "AspNetUserRoles" ("UserId", "RoleId")
SELECT u."Id", r."Id" FROM "AspNetUsers" u CROSS JOIN "AspNetRoles" r
WHERE r."NormalizedName" = 'USER'
  AND NOT EXISTS (SELECT 1 FROM "AspNetUserRoles" ur WHERE ur."UserId" = u."Id" AND ur."RoleId" = r."Id");
