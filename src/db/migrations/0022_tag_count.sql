-- How many live people hold each tag, by home unit and sensitivity, kept exact by the database
-- itself (docs/adr/0028-tag-count.md).
--
-- A tag filter's total was a count of the tag's taggings, joined to people when the searcher's
-- reach is a unit subtree: 35-100 ms for a tag on 300,000 of a million people, every time the
-- filter was used. tag_count holds, per tag, one row for each (home unit path, sensitive) pair its
-- people have, so any total an organization-wide or unit-subtree grant can ask for is a sum over a
-- few dozen rows (people.search.ts, countPeople).
--
-- The cascade trap: deleting a person deletes their taggings through the foreign key, after the
-- person row is gone, so a trigger on tagging could not look up whose unit it counted under. Each
-- tagging therefore carries its person's home_unit_path and sensitive flag (person_unit_path,
-- person_sensitive), filled by a row trigger from the person on every insert and update of the
-- tagging (whatever values the writer gave), and re-copied when the person's unit or flag changes.
--
-- Taggings are exactly their tag's live people (deleting a person cascades; merging moves them to
-- the survivor), so these counts are of live people.
ALTER TABLE tagging ADD COLUMN person_unit_path ltree, ADD COLUMN person_sensitive boolean NOT NULL DEFAULT false;

UPDATE tagging t SET person_unit_path = p.home_unit_path, person_sensitive = p.sensitive
FROM person p WHERE p.id = t.person_id;

CREATE FUNCTION tagging_copy_person() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  SELECT p.home_unit_path, p.sensitive INTO NEW.person_unit_path, NEW.person_sensitive
  FROM person p WHERE p.id = NEW.person_id;
  NEW.person_sensitive := coalesce(NEW.person_sensitive, false);
  RETURN NEW;
END $$;
CREATE TRIGGER tagging_copy_person BEFORE INSERT OR UPDATE ON tagging
  FOR EACH ROW EXECUTE FUNCTION tagging_copy_person();

-- A tag's page (newest first) within a unit scope is then a walk of the tag's unique index alone:
-- the copies ride along in it, as org_id already did for row-level security (migration 0019).
CREATE UNIQUE INDEX tagging_tag_person_scope ON tagging (tag_id, person_id)
  INCLUDE (org_id, person_unit_path, person_sensitive);
ALTER TABLE tagging DROP CONSTRAINT tagging_tag_person_key,
  ADD CONSTRAINT tagging_tag_person_key UNIQUE USING INDEX tagging_tag_person_scope;

-- A person whose unit or flag changed: their taggings copy it again (the row trigger reads it).
CREATE FUNCTION person_tagging_recopy() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE tagging t SET person_unit_path = n.home_unit_path, person_sensitive = n.sensitive
  FROM new_people n JOIN old_people o ON o.id = n.id
  WHERE t.person_id = n.id AND t.org_id = n.org_id
    AND (o.home_unit_path IS DISTINCT FROM n.home_unit_path OR o.sensitive <> n.sensitive);
  RETURN NULL;
END $$;
CREATE TRIGGER person_tagging_recopy AFTER UPDATE ON person
  REFERENCING OLD TABLE AS old_people NEW TABLE AS new_people FOR EACH STATEMENT EXECUTE FUNCTION person_tagging_recopy();

CREATE TABLE tag_count (
  org_id uuid NOT NULL,
  tag_id uuid NOT NULL REFERENCES tag (id) ON DELETE CASCADE,
  unit_path ltree,
  sensitive boolean NOT NULL,
  people bigint NOT NULL,
  CONSTRAINT tag_count_key UNIQUE NULLS NOT DISTINCT (tag_id, unit_path, sensitive),
  CONSTRAINT tag_count_nonnegative_check CHECK (people >= 0)
);

SELECT enable_tenant_rls('tag_count');
-- Only the triggers write it.
REVOKE INSERT, UPDATE, DELETE ON tag_count FROM rhizome_app;

INSERT INTO tag_count (org_id, tag_id, unit_path, sensitive, people)
SELECT org_id, tag_id, person_unit_path, person_sensitive, count(*) FROM tagging
GROUP BY org_id, tag_id, person_unit_path, person_sensitive;

-- Adds `step` for each of these taggings. A row that reaches zero stays (a tag's units change
-- little; a later tagging reuses it).
CREATE FUNCTION tag_count_step(org_ids uuid[], tag_ids uuid[], paths ltree[], flags boolean[], step int)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF step > 0 THEN
    INSERT INTO tag_count AS c (org_id, tag_id, unit_path, sensitive, people)
    SELECT org_id, tag_id, path, flag, count(*) * step
    FROM unnest(org_ids, tag_ids, paths, flags) AS u(org_id, tag_id, path, flag)
    GROUP BY org_id, tag_id, path, flag
    ON CONFLICT ON CONSTRAINT tag_count_key DO UPDATE SET people = c.people + excluded.people;
  ELSE
    -- A tag being deleted has taken its rows with it already: there is nothing to subtract from.
    UPDATE tag_count c SET people = c.people + step * d.n
    FROM (SELECT tag_id, path, flag, count(*) AS n
          FROM unnest(tag_ids, paths, flags) AS u(tag_id, path, flag) GROUP BY tag_id, path, flag) d
    WHERE c.tag_id = d.tag_id AND c.unit_path IS NOT DISTINCT FROM d.path AND c.sensitive = d.flag;
  END IF;
END $$;
REVOKE EXECUTE ON FUNCTION tag_count_step(uuid[], uuid[], ltree[], boolean[], int) FROM PUBLIC;

CREATE FUNCTION tag_count_inserted() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM tag_count_step(array_agg(org_id), array_agg(tag_id), array_agg(person_unit_path), array_agg(person_sensitive), 1)
  FROM new_taggings HAVING count(*) > 0;
  RETURN NULL;
END $$;

CREATE FUNCTION tag_count_deleted() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM tag_count_step(array_agg(org_id), array_agg(tag_id), array_agg(person_unit_path), array_agg(person_sensitive), -1)
  FROM old_taggings HAVING count(*) > 0;
  RETURN NULL;
END $$;

-- Only the taggings counted differently after than before (a moved tagging, a person's new unit).
CREATE FUNCTION tag_count_updated() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM tag_count_step(array_agg(b.org_id), array_agg(b.tag_id), array_agg(b.person_unit_path), array_agg(b.person_sensitive), -1)
  FROM old_taggings b WHERE NOT EXISTS (
    SELECT 1 FROM new_taggings a WHERE a.id = b.id AND a.tag_id = b.tag_id AND a.org_id = b.org_id
      AND a.person_unit_path IS NOT DISTINCT FROM b.person_unit_path AND a.person_sensitive = b.person_sensitive)
  HAVING count(*) > 0;
  PERFORM tag_count_step(array_agg(a.org_id), array_agg(a.tag_id), array_agg(a.person_unit_path), array_agg(a.person_sensitive), 1)
  FROM new_taggings a WHERE NOT EXISTS (
    SELECT 1 FROM old_taggings b WHERE b.id = a.id AND b.tag_id = a.tag_id AND b.org_id = a.org_id
      AND b.person_unit_path IS NOT DISTINCT FROM a.person_unit_path AND b.person_sensitive = a.person_sensitive)
  HAVING count(*) > 0;
  RETURN NULL;
END $$;

CREATE TRIGGER tagging_count_inserted AFTER INSERT ON tagging
  REFERENCING NEW TABLE AS new_taggings FOR EACH STATEMENT EXECUTE FUNCTION tag_count_inserted();
CREATE TRIGGER tagging_count_updated AFTER UPDATE ON tagging
  REFERENCING OLD TABLE AS old_taggings NEW TABLE AS new_taggings FOR EACH STATEMENT EXECUTE FUNCTION tag_count_updated();
CREATE TRIGGER tagging_count_deleted AFTER DELETE ON tagging
  REFERENCING OLD TABLE AS old_taggings FOR EACH STATEMENT EXECUTE FUNCTION tag_count_deleted();
