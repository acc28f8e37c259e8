-- Row-level security: the second wall of tenant isolation (docs/adr/0008-row-level-security.md).
--
-- The application scopes every query to its organization. Underneath, work done for one
-- organization runs as the role rhizome_app with the setting rhizome.org_id naming it
-- (src/db/tenant.ts), and every table with org_id lets that role see and write only rows whose
-- org_id is that organization. No organization set (NULL or '') means no rows at all.
--
--   * rhizome_app is NOLOGIN: the migrating role owns the tables and switches to it (SET ROLE).
--     Owners and superusers bypass row-level security: work that crosses organizations
--     (migrations, `org create`, resolving a token before its organization is known, the audit
--     verifier over every organization, the audit log's batched flush) runs as the owner.
--   * A table with org_id gets its grants, RLS and the tenant_isolation policy from
--     enable_tenant_rls(table). Later migrations call it for their new tables; a test lists every
--     table with org_id from the catalog and names any without it. There are no default
--     privileges: a table nobody enabled is refused to rhizome_app outright (fails closed).
--   * Operators the people search uses as index conditions must be LEAKPROOF or the planner keeps
--     them above the policy and loses the index. Where the migrating role is a superuser the
--     comparison functions below are marked LEAKPROOF; `rhizome doctor` reports those that are not.

-- The role is cluster-wide: other databases on the server (tests, benchmarks) may have made it.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'rhizome_app') THEN
    BEGIN
      CREATE ROLE rhizome_app NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL; -- created by a concurrent migration of another database
    END;
  END IF;
  -- The migrating role must be able to SET ROLE to it (a superuser always can).
  IF NOT pg_has_role(current_user, 'rhizome_app', 'MEMBER') THEN
    EXECUTE format('GRANT rhizome_app TO %I', current_user);
  END IF;
END $$;

GRANT USAGE ON SCHEMA public TO rhizome_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO rhizome_app;
-- This node's identity is not a tenant's: readable by all, writable by none.
GRANT SELECT ON node_self TO rhizome_app;

-- The organization the session acts for: NULL when none is set (never set, or reset to '').
CREATE FUNCTION rhizome_tenant() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT nullif(current_setting('rhizome.org_id', true), '')::uuid
$$;

-- Grants, row-level security and the tenant_isolation policy for one table with org_id.
-- Idempotent: a later migration may call it again for a table.
CREATE FUNCTION enable_tenant_rls(t regclass) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM pg_attribute WHERE attrelid = t AND attname = 'org_id' AND NOT attisdropped
  ) THEN
    RAISE EXCEPTION 'enable_tenant_rls: % has no org_id column', t;
  END IF;
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO rhizome_app', t);
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', t);
  EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %s', t);
  EXECUTE format(
    'CREATE POLICY tenant_isolation ON %s USING (org_id = rhizome_tenant()) WITH CHECK (org_id = rhizome_tenant())',
    t);
END $$;

-- Every table with org_id today (org's org_id is its own id: an organization sees only itself).
DO $$
DECLARE t regclass;
BEGIN
  FOR t IN
    SELECT c.oid::regclass FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
  LOOP
    PERFORM enable_tenant_rls(t);
  END LOOP;
END $$;

-- Organizations are created and deleted as the owner (`org create`), never by a request.
REVOKE INSERT, DELETE ON org FROM rhizome_app;
-- The audit trail is append-only (its triggers refuse the rest too); the head only moves.
REVOKE UPDATE, DELETE ON audit_event FROM rhizome_app;
REVOKE DELETE ON audit_head FROM rhizome_app;

-- Only a table's owner may ANALYZE it; as rhizome_app an ANALYZE is skipped with a warning. Imports
-- refresh the statistics of the tables they fill (src/imports/import-people.ts) through this.
-- Only tables whose statistics are stale by autovacuum's own rule (never analyzed, or more than
-- 50 rows + 10% changed since the last ANALYZE): ANALYZE samples 30k rows a table whatever its
-- size, so analyzing fresh tables costs a second for nothing.
CREATE FUNCTION analyze_people_tables() RETURNS void LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
DECLARE t regclass;
BEGIN
  FOR t IN
    SELECT c.oid::regclass FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
    WHERE c.oid = ANY(ARRAY['person', 'person_email', 'person_phone', 'person_address',
        'foreign_identifier']::regclass[])
      AND (c.reltuples < 0 OR s.n_mod_since_analyze IS NULL
        OR s.n_mod_since_analyze > 50 + 0.1 * c.reltuples)
  LOOP
    EXECUTE format('ANALYZE %s', t);
  END LOOP;
END $$;
REVOKE EXECUTE ON FUNCTION analyze_people_tables() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION analyze_people_tables() TO rhizome_app;

-- Under row-level security the planner turns a predicate into an index condition only if every
-- function in it is LEAKPROOF: one that reveals nothing about its arguments except through its
-- result (no error, notice or side effect that depends on a value). Otherwise the search's
-- predicates wait above the policy and the name and unit searches fall back to sequential scans.
-- The functions below are what those predicates are made of:
--   lower(text), textcat(text, text)  the name expressions (lower(family_name), the full name);
--   textlike(text, text)              LIKE 'prefix%' and '%word%' on them; its one error (a pattern
--                                     ending in the escape character) depends on the pattern, which
--                                     is always our parameter, never a column;
--   similarity_op(text, text)         pg_trgm's % (fuzzy names): a score compared to a threshold;
--   ltree_lt/le/eq/ge/gt              unit subtrees as btree ranges on person.home_unit_path.
-- None raises an error that depends on a row's value. Our threat model is a forgotten predicate in
-- parameterized SQL, not hostile SQL (which could probe errors): see the ADR. Only a superuser may
-- mark a function LEAKPROOF; elsewhere this is skipped with a notice and `rhizome doctor` lists
-- what is unmarked (searches stay correct, only slower).
DO $$
DECLARE f regprocedure;
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    RAISE NOTICE 'not a superuser: search functions not marked LEAKPROOF (see rhizome doctor)';
    RETURN;
  END IF;
  FOREACH f IN ARRAY ARRAY[
    'lower(text)', 'textcat(text, text)', 'textlike(text, text)', 'similarity_op(text, text)',
    'ltree_lt(ltree, ltree)', 'ltree_le(ltree, ltree)', 'ltree_eq(ltree, ltree)',
    'ltree_ge(ltree, ltree)', 'ltree_gt(ltree, ltree)'
  ]::regprocedure[]
  LOOP
    EXECUTE format('ALTER FUNCTION %s LEAKPROOF', f);
  END LOOP;
END $$;

-- The full-name trigram index again, over CASE instead of coalesce: the planner counts COALESCE as
-- never leakproof, so no predicate over the old expression could use the index under the policy.
-- src/people/people.filter.ts (nameExpr) spells the same expression.
DROP INDEX person_name_trgm_idx;
CREATE INDEX person_name_trgm_idx ON person USING gin ((lower(
  CASE WHEN given_name IS NULL THEN '' ELSE given_name END || ' ' ||
  CASE WHEN family_name IS NULL THEN '' ELSE family_name END)) gin_trgm_ops);
