-- While an import runs, its ANALYZEs (before the first batch, at 20k, 40k, 80k, ... rows and each
-- time the organization has doubled: 0027) are there for the import's own statements: the
-- matching look-ups, the candidates' loads and the foreign-key checks. Those read the key columns
-- only, and the table sizes. A full ANALYZE also sorts a 30,000-row sample of every name, address
-- and provenance column: 1.2 s for the five tables at 200,000 people, against 0.5 s for the key
-- columns. An ANALYZE of chosen columns still sets the table's size (pg_class.reltuples) and does
-- not reset the count of rows changed since the last full one, so autovacuum (or, on the embedded
-- database, `rhizome start`'s maintenance) still gives the name columns fresh statistics once the
-- import has changed a tenth of a table. For the same reason that count cannot say when the keys
-- are stale again (it would say so at every call once a tenth had changed, and a re-import after
-- the people were moved between units analyzed at 20k, 40k, 80k and 160k rows): a table's keys are
-- stale when its live rows differ from the size the planner knows by more than 50 + 10%, which a
-- key ANALYZE sets right. The full versions (0004, 0027) are no longer called.
DROP FUNCTION analyze_people_tables();
DROP FUNCTION analyze_people_tables(boolean);
CREATE FUNCTION analyze_people_keys(force boolean) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
DECLARE
  t regclass;
  columns text;
BEGIN
  FOR t, columns IN
    SELECT c.oid::regclass, k.columns
    FROM (VALUES
        ('person'::regclass, 'org_id, id, merged_into'),
        ('person_email'::regclass, 'org_id, address, person_id'),
        ('person_phone'::regclass, 'org_id, number, person_id'),
        ('person_address'::regclass, 'org_id, person_id'),
        ('foreign_identifier'::regclass, 'org_id, entity, identifier, entity_id')) AS k(rel, columns)
      JOIN pg_class c ON c.oid = k.rel
      LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
    WHERE force OR c.reltuples < 0 OR s.n_live_tup IS NULL
      OR abs(s.n_live_tup - c.reltuples) > 50 + 0.1 * c.reltuples
  LOOP
    EXECUTE format('ANALYZE %s (%s)', t, columns);
  END LOOP;
END $$;
REVOKE EXECUTE ON FUNCTION analyze_people_keys(boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION analyze_people_keys(boolean) TO rhizome_app;
