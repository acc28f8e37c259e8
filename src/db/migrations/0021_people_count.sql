-- How many live people each organization has, kept exact by the database itself
-- (docs/adr/0027-people-count.md).
--
-- "Everyone" is the most common search there is (the people page with no filter), and its total
-- was a count of the whole organization: 80 ms at a million people, every time the page opened.
-- This row holds that total, and how many of those people are marked sensitive (the total an
-- organization-wide grant without the restricted class sees is the difference).
--
-- Statement triggers with transition tables keep it, whatever the number of rows (an import batch
-- of 2,000 people costs one small GROUP BY; an update counts only the people whose count changed). A statement that
-- changes no total (most updates: a name, a phone) writes nothing, so it takes no lock on the
-- row; statements that add or remove people serialize on it until they commit, as the people
-- writers of an organization already do (its people lock).
--
-- The functions run as the owner: the counts are the database's bookkeeping, kept whoever writes
-- people. Requests read the row under row-level security like any other.
CREATE TABLE people_count (
  org_id uuid PRIMARY KEY REFERENCES org (id) ON DELETE CASCADE,
  people bigint NOT NULL DEFAULT 0,
  sensitive bigint NOT NULL DEFAULT 0,
  CONSTRAINT people_count_nonnegative_check CHECK (people >= 0 AND sensitive >= 0 AND sensitive <= people)
);

SELECT enable_tenant_rls('people_count');
-- Only the triggers write it.
REVOKE INSERT, UPDATE, DELETE ON people_count FROM rhizome_app;

-- Every organization has its row from its creation to its deletion (which takes the row along).
INSERT INTO people_count (org_id, people, sensitive)
SELECT o.id, count(p.id) FILTER (WHERE p.merged_into IS NULL),
  count(p.id) FILTER (WHERE p.merged_into IS NULL AND p.sensitive)
FROM org o LEFT JOIN person p ON p.org_id = o.id GROUP BY o.id;

CREATE FUNCTION people_count_org_created() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO people_count (org_id) VALUES (NEW.id);
  RETURN NULL;
END $$;
CREATE TRIGGER org_people_count AFTER INSERT ON org FOR EACH ROW EXECUTE FUNCTION people_count_org_created();

-- Adds `step` for each of these people (their organization, whether they are sensitive).
CREATE FUNCTION people_count_step(org_ids uuid[], sensitive_flags boolean[], step int) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  UPDATE people_count c SET people = c.people + step * d.n, sensitive = c.sensitive + step * d.s
  FROM (SELECT org_id, count(*) AS n, count(*) FILTER (WHERE flag) AS s
        FROM unnest(org_ids, sensitive_flags) AS u(org_id, flag) GROUP BY org_id) d
  WHERE c.org_id = d.org_id
$$;
REVOKE EXECUTE ON FUNCTION people_count_step(uuid[], boolean[], int) FROM PUBLIC;

CREATE FUNCTION people_count_inserted() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM people_count_step(array_agg(org_id), array_agg(sensitive), 1) FROM new_people WHERE merged_into IS NULL;
  RETURN NULL;
END $$;

CREATE FUNCTION people_count_deleted() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM people_count_step(array_agg(org_id), array_agg(sensitive), -1) FROM old_people WHERE merged_into IS NULL;
  RETURN NULL;
END $$;

-- Only the people whose count changed: live before and not after (or counted differently), and
-- the other way round. An update that changes no total touches no row.
CREATE FUNCTION people_count_updated() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM people_count_step(array_agg(a.org_id), array_agg(a.sensitive), 1)
  FROM new_people a WHERE a.merged_into IS NULL AND NOT EXISTS (
    SELECT 1 FROM old_people b WHERE b.id = a.id AND b.merged_into IS NULL AND b.org_id = a.org_id AND b.sensitive = a.sensitive);
  PERFORM people_count_step(array_agg(b.org_id), array_agg(b.sensitive), -1)
  FROM old_people b WHERE b.merged_into IS NULL AND NOT EXISTS (
    SELECT 1 FROM new_people a WHERE a.id = b.id AND a.merged_into IS NULL AND a.org_id = b.org_id AND a.sensitive = b.sensitive);
  RETURN NULL;
END $$;

CREATE TRIGGER person_count_inserted AFTER INSERT ON person
  REFERENCING NEW TABLE AS new_people FOR EACH STATEMENT EXECUTE FUNCTION people_count_inserted();
CREATE TRIGGER person_count_updated AFTER UPDATE ON person
  REFERENCING OLD TABLE AS old_people NEW TABLE AS new_people FOR EACH STATEMENT EXECUTE FUNCTION people_count_updated();
CREATE TRIGGER person_count_deleted AFTER DELETE ON person
  REFERENCING OLD TABLE AS old_people FOR EACH STATEMENT EXECUTE FUNCTION people_count_deleted();
