-- An import into an organization that is new to the tables (the first of a second organization, or
-- a small one beside millions of other people) ran 4-10x slower until its 20,000th row: the
-- statistics did not know the organization yet, so the planner took it for one person and read
-- the matching candidates and the taggings' people through the organization's index instead of
-- their keys, batch after batch (50k rows after another organization's 2,000: 47 s instead of 12).
-- Autovacuum's rule (10% of the table changed) does not see such an organization's rows in a large
-- table. The importer now asks for fresh statistics each time the organization has doubled during
-- the import, whatever the rest of the table did: this function, forced.
CREATE FUNCTION analyze_people_tables(force boolean) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
DECLARE t regclass;
BEGIN
  FOR t IN
    SELECT c.oid::regclass FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
    WHERE c.oid = ANY(ARRAY['person', 'person_email', 'person_phone', 'person_address',
        'foreign_identifier']::regclass[])
      AND (force OR c.reltuples < 0 OR s.n_mod_since_analyze IS NULL
        OR s.n_mod_since_analyze > 50 + 0.1 * c.reltuples)
  LOOP
    EXECUTE format('ANALYZE %s', t);
  END LOOP;
END $$;
REVOKE EXECUTE ON FUNCTION analyze_people_tables(boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION analyze_people_tables(boolean) TO rhizome_app;
