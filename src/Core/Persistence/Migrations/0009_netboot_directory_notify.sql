-- 0009 netboot directory: the netboot endpoints answer from an in-memory directory of machines
-- (identity -> state and active deployment). Every change that can alter that answer is announced
-- on the 'portal_netboot' channel when it commits, whoever wrote it (another Portal instance, a
-- script, psql), so no instance keeps sending a machine that is being provisioned to its local disk.
-- Payloads: 'machine:<id>' (re-read that machine) and 'sightings' (re-read the linked sightings).
-- Power observations and inventory details do not touch the columns compared here, so they stay quiet.

CREATE FUNCTION portal_netboot_machine_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD."State" IS NOT DISTINCT FROM NEW."State" AND OLD."Nics" IS NOT DISTINCT FROM NEW."Nics"
       AND OLD."Uuid" IS NOT DISTINCT FROM NEW."Uuid" AND OLD."Serial" IS NOT DISTINCT FROM NEW."Serial" THEN
        RETURN NULL;
    END IF;
    PERFORM pg_notify('portal_netboot', 'machine:' || CASE WHEN TG_OP = 'DELETE' THEN OLD."Id" ELSE NEW."Id" END);
    RETURN NULL;
END $$;

CREATE TRIGGER "TR_Machines_NetbootDirectory" AFTER INSERT OR UPDATE OR DELETE ON "Machines"
    FOR EACH ROW EXECUTE FUNCTION portal_netboot_machine_changed();

CREATE FUNCTION portal_netboot_deployment_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD."State" IS NOT DISTINCT FROM NEW."State" AND OLD."MachineId" = NEW."MachineId" THEN
        RETURN NULL;
    END IF;
    IF TG_OP <> 'INSERT' THEN PERFORM pg_notify('portal_netboot', 'machine:' || OLD."MachineId"); END IF;
    IF TG_OP <> 'DELETE' THEN PERFORM pg_notify('portal_netboot', 'machine:' || NEW."MachineId"); END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER "TR_Deployments_NetbootDirectory" AFTER INSERT OR UPDATE OR DELETE ON "Deployments"
    FOR EACH ROW EXECUTE FUNCTION portal_netboot_deployment_changed();

-- Unknown firmware is upserted on every boot; only linking (MachineId) changes how an identity resolves.
CREATE FUNCTION portal_netboot_sighting_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_OP = 'INSERT' AND NEW."MachineId" IS NULL) OR (TG_OP = 'DELETE' AND OLD."MachineId" IS NULL)
       OR (TG_OP = 'UPDATE' AND OLD."MachineId" IS NOT DISTINCT FROM NEW."MachineId" AND OLD."Key" = NEW."Key") THEN
        RETURN NULL;
    END IF;
    PERFORM pg_notify('portal_netboot', 'sightings');
    RETURN NULL;
END $$;

CREATE TRIGGER "TR_NetbootSightings_NetbootDirectory" AFTER INSERT OR UPDATE OR DELETE ON "NetbootSightings"
    FOR EACH ROW EXECUTE FUNCTION portal_netboot_sighting_changed();
