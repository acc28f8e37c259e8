-- How many live people bear each given name and each family name, kept exact by the database
-- itself, and fuzzy name search through it (docs/adr/0030-fuzzy-names-through-a-dictionary.md).
--
-- A fuzzy search read the trigram index of every person's full name. Its slowest searches were
-- those with a common given name ("jennifer robinsen"): the index returned every person whose name
-- shared enough trigrams with each word, thousands of Jennifers, before the table was asked about
-- the family name (page p95 31 ms on PostgreSQL, 60 ms on PGlite, at 1M people). The words of an
-- organization's names are few (a few thousand given names, tens of thousands of family names, for
-- a million people): a search now finds the similar ones here first, then the people who bear them
-- through the name btrees (people.filter.ts, fuzzyNames and fuzzyHalves), and the person table
-- no longer carries a trigram index, which every import paid for (about a third of a person
-- insert).
--
-- One row per (organization, part, lowered name) with the number of live people who bear it; a row
-- that reaches zero is deleted, so a name erased from the people is erased from here. Statement
-- triggers with transition tables keep it, as people_count (0021) is kept: an import batch costs
-- one GROUP BY; an update that changes no name, merge state or organization writes nothing. Every
-- step is one INSERT ... ON CONFLICT in the order of its keys, so two writers take the rows' locks
-- in the same order and cannot deadlock on them.
--
-- The trigram index is on the name alone (no organization key without btree_gin): a node holds one
-- organization, or a few, and their names share its lists.
CREATE TABLE person_name_count (
  org_id uuid NOT NULL REFERENCES org (id) ON DELETE CASCADE,
  part text NOT NULL,
  name text NOT NULL,
  people bigint NOT NULL,
  CONSTRAINT person_name_count_pkey PRIMARY KEY (org_id, part, name),
  CONSTRAINT person_name_count_part_check CHECK (part IN ('given', 'family'))
);
CREATE INDEX person_name_count_trgm_idx ON person_name_count USING gin (name gin_trgm_ops);

SELECT enable_tenant_rls('person_name_count');
-- Only the triggers write it.
REVOKE INSERT, UPDATE, DELETE ON person_name_count FROM rhizome_app;

INSERT INTO person_name_count (org_id, part, name, people)
SELECT org_id, part, name, count(*) FROM (
  SELECT org_id, 'given' AS part, lower(given_name) AS name FROM person
  WHERE merged_into IS NULL AND given_name IS NOT NULL AND given_name <> ''
  UNION ALL
  SELECT org_id, 'family', lower(family_name) FROM person
  WHERE merged_into IS NULL AND family_name IS NOT NULL AND family_name <> ''
) n GROUP BY org_id, part, name;

-- Adds `step` for each of these people's names (an empty or missing name is no name).
CREATE FUNCTION person_name_count_step(org_ids uuid[], givens text[], families text[], step int)
RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  INSERT INTO person_name_count AS c (org_id, part, name, people)
  SELECT org_id, part, name, count(*) * step FROM (
    SELECT org_id, 'given' AS part, lower(g) AS name FROM unnest(org_ids, givens) AS u(org_id, g)
    WHERE g IS NOT NULL AND g <> ''
    UNION ALL
    SELECT org_id, 'family', lower(f) FROM unnest(org_ids, families) AS u(org_id, f)
    WHERE f IS NOT NULL AND f <> ''
  ) n GROUP BY org_id, part, name ORDER BY org_id, part, name
  ON CONFLICT ON CONSTRAINT person_name_count_pkey DO UPDATE SET people = c.people + excluded.people;
  IF step < 0 THEN
    DELETE FROM person_name_count c
    WHERE c.people <= 0 AND (c.org_id, c.part, c.name) IN (
      SELECT org_id, 'given', lower(g) FROM unnest(org_ids, givens) AS u(org_id, g) WHERE g IS NOT NULL
      UNION ALL
      SELECT org_id, 'family', lower(f) FROM unnest(org_ids, families) AS u(org_id, f) WHERE f IS NOT NULL);
  END IF;
END $$;
REVOKE EXECUTE ON FUNCTION person_name_count_step(uuid[], text[], text[], int) FROM PUBLIC;

CREATE FUNCTION person_name_count_inserted() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM person_name_count_step(array_agg(org_id), array_agg(given_name), array_agg(family_name), 1)
  FROM new_people WHERE merged_into IS NULL HAVING count(*) > 0;
  RETURN NULL;
END $$;

CREATE FUNCTION person_name_count_deleted() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM person_name_count_step(array_agg(org_id), array_agg(given_name), array_agg(family_name), -1)
  FROM old_people WHERE merged_into IS NULL HAVING count(*) > 0;
  RETURN NULL;
END $$;

-- Only the people counted differently after than before: renamed, merged or unmerged.
CREATE FUNCTION person_name_count_updated() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM person_name_count_step(array_agg(b.org_id), array_agg(b.given_name), array_agg(b.family_name), -1)
  FROM old_people b WHERE b.merged_into IS NULL AND NOT EXISTS (
    SELECT 1 FROM new_people a WHERE a.id = b.id AND a.merged_into IS NULL AND a.org_id = b.org_id
      AND lower(a.given_name) IS NOT DISTINCT FROM lower(b.given_name)
      AND lower(a.family_name) IS NOT DISTINCT FROM lower(b.family_name))
  HAVING count(*) > 0;
  PERFORM person_name_count_step(array_agg(a.org_id), array_agg(a.given_name), array_agg(a.family_name), 1)
  FROM new_people a WHERE a.merged_into IS NULL AND NOT EXISTS (
    SELECT 1 FROM old_people b WHERE b.id = a.id AND b.merged_into IS NULL AND b.org_id = a.org_id
      AND lower(a.given_name) IS NOT DISTINCT FROM lower(b.given_name)
      AND lower(a.family_name) IS NOT DISTINCT FROM lower(b.family_name))
  HAVING count(*) > 0;
  RETURN NULL;
END $$;

CREATE TRIGGER person_name_count_inserted AFTER INSERT ON person
  REFERENCING NEW TABLE AS new_people FOR EACH STATEMENT EXECUTE FUNCTION person_name_count_inserted();
CREATE TRIGGER person_name_count_updated AFTER UPDATE ON person
  REFERENCING OLD TABLE AS old_people NEW TABLE AS new_people FOR EACH STATEMENT EXECUTE FUNCTION person_name_count_updated();
CREATE TRIGGER person_name_count_deleted AFTER DELETE ON person
  REFERENCING OLD TABLE AS old_people FOR EACH STATEMENT EXECUTE FUNCTION person_name_count_deleted();

-- No search reads the full name's trigrams any more.
DROP INDEX person_name_trgm_idx;
