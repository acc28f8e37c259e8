-- The newest people of a unit, from the index alone.
--
-- person_scope_idx (0019) carried id as an included column, unordered. A regional or local
-- organizer's people page with no filter wants the newest fifty people of their subtree: the
-- newest-first walk of the whole organization reads past everyone outside it (all of the newest
-- people, when an import placed them in no unit), and collecting the subtree sorts all of it. With
-- id in the key, each unit's people are in id order, so the page is the newest fifty of each of
-- the subtree's units (unit_people_count says which hold people), merged (people.search.ts,
-- unitsPageIds). Same leading columns and predicate as before, so every plan that used the old
-- index can use this one.
CREATE INDEX person_scope_id_idx ON person (org_id, home_unit_path, id) INCLUDE (sensitive)
  WHERE merged_into IS NULL;
DROP INDEX person_scope_idx;
ALTER INDEX person_scope_id_idx RENAME TO person_scope_idx;
