-- How many live people each organization has, kept exact by the database itself
-- (docs/adr/0027-people-count.md).
--
-- "Everyone" is the most common search there is (the people page with no filter), and its total
-- was a count of the whole organization: 80 ms at a million people, every time the page opened.
-- This row holds that total, and how many of those people are marked sensitive (the total an
-- organization-wide grant without the restricted class sees is the difference).
--
-- Statement triggers with transition tables keep it: one aggregate per statement, whatever the
-- number of rows (an import batch of 2,000 people costs one small GROUP BY). A statement that
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

-- Adds these differences to the organizations' rows.
CREATE FUNCTION people_count_add(org_ids uuid[], added bigint[], added_sensitive bigint[]) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  UPDATE people_count c SET people = c.people + d.people, sensitive = c.sensitive + d.sensitive
  FROM unnest(org_ids, added, added_sensitive) AS d(org_id, people, sensitive)
  WHERE c.org_id = d.org_id AND (d.people <> 0 OR d.sensitive <> 0)
$$;
REVOKE EXECUTE ON FUNCTION people_count_add(uuid[], bigint[], bigint[]) FROM PUBLIC;

CREATE FUNCTION people_count_inserted() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM people_count_add(array_agg(org_id), array_agg(n), array_agg(s))
  FROM (SELECT org_id, count(*) AS n, count(*) FILTER (WHERE sensitive) AS s
        FROM added WHERE merged_into IS NULL GROUP BY org_id) d
  HAVING count(*) > 0;
  RETURN NULL;
END $$;

CREATE FUNCTION people_count_updated() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM people_count_add(array_agg(org_id), array_agg(n), array_agg(s))
  FROM (SELECT org_id, sum(n)::bigint AS n, sum(s)::bigint AS s FROM (
          SELECT org_id, 1 AS n, CASE WHEN sensitive THEN 1 ELSE 0 END AS s FROM new_people WHERE merged_into IS NULL
          UNION ALL
          SELECT org_id, -1, CASE WHEN sensitive THEN -1 ELSE 0 END FROM old_people WHERE merged_into IS NULL
        ) x GROUP BY org_id) d
  HAVING count(*) > 0;
  RETURN NULL;
END $$;

CREATE FUNCTION people_count_deleted() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM people_count_add(array_agg(org_id), array_agg(-n), array_agg(-s))
  FROM (SELECT org_id, count(*) AS n, count(*) FILTER (WHERE sensitive) AS s
        FROM removed WHERE merged_into IS NULL GROUP BY org_id) d
  HAVING count(*) > 0;
  RETURN NULL;
END $$;

CREATE TRIGGER person_count_inserted AFTER INSERT ON person
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION people_count_inserted();
CREATE TRIGGER person_count_updated AFTER UPDATE ON person
  REFERENCING OLD TABLE AS old_people NEW TABLE AS new_people FOR EACH STATEMENT EXECUTE FUNCTION people_count_updated();
CREATE TRIGGER person_count_deleted AFTER DELETE ON person
  REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION people_count_deleted();
