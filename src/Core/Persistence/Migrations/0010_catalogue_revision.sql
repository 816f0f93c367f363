-- 0010 catalogue revision: a number that grows with every committed change to what the catalogue's
-- facets count (state and hardware facts, tags; see CatalogueFacetCounts). The catalogue keeps the
-- facet counts of recent filters in memory together with the revision they were counted at, and
-- uses them only while the revision is still the same, so a reservation (or any other change, by
-- any writer: another instance, a script, psql) shows in the very next search.
--
-- The bump runs in the changing transaction, so a reader sees the new number exactly when it sees
-- the change. It is deferred to commit (constraint trigger): the row lock on the single revision
-- row is then taken last and held only while committing, so writers that lock several machines
-- cannot deadlock over it; they only take turns to commit (as their pg_notify already makes them).
-- Power observations and inventory details that leave these columns alone do not bump it.

CREATE TABLE "CatalogueRevision" (
    "Id" integer NOT NULL,
    "Number" bigint NOT NULL,
    CONSTRAINT "PK_CatalogueRevision" PRIMARY KEY ("Id")
);

INSERT INTO "CatalogueRevision" ("Id", "Number") VALUES (1, 0);

-- Once per transaction, however many machines it changed.
CREATE FUNCTION portal_catalogue_revision_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('portal.catalogue_revision_bumped', true) = 'on' THEN
        RETURN NULL;
    END IF;
    UPDATE "CatalogueRevision" SET "Number" = "Number" + 1 WHERE "Id" = 1;
    PERFORM set_config('portal.catalogue_revision_bumped', 'on', true);
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER "TR_Machines_CatalogueRevision_Rows" AFTER INSERT OR DELETE ON "Machines"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION portal_catalogue_revision_bump();

CREATE CONSTRAINT TRIGGER "TR_Machines_CatalogueRevision_Facts" AFTER UPDATE ON "Machines"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN ((OLD."State", OLD."Architecture", OLD."Manufacturer", OLD."Model", OLD."CpuModel", OLD."CpuCores", OLD."CpuThreads",
           OLD."MemoryBytes", OLD."GpuCount", OLD."DiskTotalBytes", OLD."NicMaxSpeedMbps", OLD."DiskKinds", OLD."GpuModels", OLD."Tags")
          IS DISTINCT FROM
          (NEW."State", NEW."Architecture", NEW."Manufacturer", NEW."Model", NEW."CpuModel", NEW."CpuCores", NEW."CpuThreads",
           NEW."MemoryBytes", NEW."GpuCount", NEW."DiskTotalBytes", NEW."NicMaxSpeedMbps", NEW."DiskKinds", NEW."GpuModels", NEW."Tags"))
    EXECUTE FUNCTION portal_catalogue_revision_bump();

-- TRUNCATE fires no row triggers; it locks the whole table anyway, so it bumps at once.
CREATE TRIGGER "TR_Machines_CatalogueRevision_Truncate" AFTER TRUNCATE ON "Machines"
    FOR EACH STATEMENT EXECUTE FUNCTION portal_catalogue_revision_bump();
