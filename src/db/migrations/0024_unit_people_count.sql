-- How many live people each unit holds, by sensitivity, kept exact by the database itself
-- (docs/adr/0028-tag-counts-and-index-only-name-search.md).
--
-- people_count (0021) answers "everyone"; a regional organizer's or local organizer's people page
-- with no filter still counted their unit subtree (an index-only range scan: about 20 ms for a
-- region of 100,000 people). This table holds one row per (home unit path, sensitive) pair of an
-- organization's live people, so that total is a sum over the subtree's rows (people.search.ts,
-- countEveryone), kept by statement triggers on person as people_count is.
CREATE TABLE unit_people_count (
  org_id uuid NOT NULL REFERENCES org (id) ON DELETE CASCADE,
  unit_path ltree,
  sensitive boolean NOT NULL,
  people bigint NOT NULL,
  CONSTRAINT unit_people_count_key UNIQUE NULLS NOT DISTINCT (org_id, unit_path, sensitive),
  CONSTRAINT unit_people_count_nonnegative_check CHECK (people >= 0)
);

SELECT enable_tenant_rls('unit_people_count');
-- Only the triggers write it.
REVOKE INSERT, UPDATE, DELETE ON unit_people_count FROM rhizome_app;

INSERT INTO unit_people_count (org_id, unit_path, sensitive, people)
SELECT org_id, home_unit_path, sensitive, count(*) FROM person WHERE merged_into IS NULL
GROUP BY org_id, home_unit_path, sensitive;

-- Adds `step` for each of these people. A row that reaches zero stays.
CREATE FUNCTION unit_people_count_step(org_ids uuid[], paths ltree[], flags boolean[], step int)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF step > 0 THEN
    INSERT INTO unit_people_count AS c (org_id, unit_path, sensitive, people)
    SELECT org_id, path, flag, count(*) * step
    FROM unnest(org_ids, paths, flags) AS u(org_id, path, flag)
    GROUP BY org_id, path, flag
    ON CONFLICT ON CONSTRAINT unit_people_count_key DO UPDATE SET people = c.people + excluded.people;
  ELSE
    -- An organization being deleted has taken its rows with it already.
    UPDATE unit_people_count c SET people = c.people + step * d.n
    FROM (SELECT org_id, path, flag, count(*) AS n
          FROM unnest(org_ids, paths, flags) AS u(org_id, path, flag) GROUP BY org_id, path, flag) d
    WHERE c.org_id = d.org_id AND c.unit_path IS NOT DISTINCT FROM d.path AND c.sensitive = d.flag;
  END IF;
END $$;
REVOKE EXECUTE ON FUNCTION unit_people_count_step(uuid[], ltree[], boolean[], int) FROM PUBLIC;

CREATE FUNCTION unit_people_count_inserted() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM unit_people_count_step(array_agg(org_id), array_agg(home_unit_path), array_agg(sensitive), 1)
  FROM new_people WHERE merged_into IS NULL HAVING count(*) > 0;
  RETURN NULL;
END $$;

CREATE FUNCTION unit_people_count_deleted() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM unit_people_count_step(array_agg(org_id), array_agg(home_unit_path), array_agg(sensitive), -1)
  FROM old_people WHERE merged_into IS NULL HAVING count(*) > 0;
  RETURN NULL;
END $$;

-- Only the people counted differently after than before (merged or unmerged, moved, flagged).
CREATE FUNCTION unit_people_count_updated() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM unit_people_count_step(array_agg(b.org_id), array_agg(b.home_unit_path), array_agg(b.sensitive), -1)
  FROM old_people b WHERE b.merged_into IS NULL AND NOT EXISTS (
    SELECT 1 FROM new_people a WHERE a.id = b.id AND a.merged_into IS NULL AND a.org_id = b.org_id
      AND a.home_unit_path IS NOT DISTINCT FROM b.home_unit_path AND a.sensitive = b.sensitive)
  HAVING count(*) > 0;
  PERFORM unit_people_count_step(array_agg(a.org_id), array_agg(a.home_unit_path), array_agg(a.sensitive), 1)
  FROM new_people a WHERE a.merged_into IS NULL AND NOT EXISTS (
    SELECT 1 FROM old_people b WHERE b.id = a.id AND b.merged_into IS NULL AND b.org_id = a.org_id
      AND b.home_unit_path IS NOT DISTINCT FROM a.home_unit_path AND b.sensitive = a.sensitive)
  HAVING count(*) > 0;
  RETURN NULL;
END $$;

CREATE TRIGGER person_unit_count_inserted AFTER INSERT ON person
  REFERENCING NEW TABLE AS new_people FOR EACH STATEMENT EXECUTE FUNCTION unit_people_count_inserted();
CREATE TRIGGER person_unit_count_updated AFTER UPDATE ON person
  REFERENCING OLD TABLE AS old_people NEW TABLE AS new_people FOR EACH STATEMENT EXECUTE FUNCTION unit_people_count_updated();
CREATE TRIGGER person_unit_count_deleted AFTER DELETE ON person
  REFERENCING OLD TABLE AS old_people FOR EACH STATEMENT EXECUTE FUNCTION unit_people_count_deleted();
