-- 0024 Template edits are announced on the netboot channel ('templates'), like the changes of 0009:
-- each instance then renders with the edited set without asking the database for the set's version
-- at every render (a boot storm renders thousands at once). Statement-level: one notice per edit.

CREATE FUNCTION portal_netboot_templates_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('portal_netboot', 'templates');
    RETURN NULL;
END $$;

CREATE TRIGGER "TR_TemplateVersions_NetbootTemplates" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "TemplateVersions"
    FOR EACH STATEMENT EXECUTE FUNCTION portal_netboot_templates_changed();

CREATE TRIGGER "TR_Templates_NetbootTemplates" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Templates"
    FOR EACH STATEMENT EXECUTE FUNCTION portal_netboot_templates_changed();
