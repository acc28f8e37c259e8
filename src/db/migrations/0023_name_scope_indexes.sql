-- Name prefixes counted and collected from the index alone.
--
-- A one-word name search ("har") matches a family name or a given name that starts with the word.
-- It was a BitmapOr of the family-name btree and the full-name trigram index, then a visit to every
-- match in the table (to check merged_into, the searcher's unit range, sensitivity, and the
-- trigram index's false positives): 40 ms warm and 110 ms cold for the 15,700 people of a common
-- prefix among a million.
--
-- These two btrees hold everything that search reads, for live people only: the lowered name as
-- the key (text_pattern_ops answers LIKE 'prefix%' whatever the collation), the raw names (the
-- planner allows an index-only scan only when every column the query names is in the index), the
-- unit path and sensitive flag (scopes), and id (the page's order and a list scope). A count is
-- then two index-only scans (family prefix, plus given prefix without a family match:
-- people.search.ts): 3-4 ms for the same search, 2.5 ms within a region.
--
-- The family-name index replaces person_family_prefix_idx (same key; its third column was never
-- usable for sorting, as text_pattern_ops does not order by the collation). The trigram index
-- stays for fuzzy names and the middle words of a longer name.
CREATE INDEX person_family_scope_idx ON person (org_id, lower(family_name) text_pattern_ops)
  INCLUDE (family_name, home_unit_path, sensitive, id) WHERE merged_into IS NULL;
CREATE INDEX person_given_scope_idx ON person (org_id, lower(given_name) text_pattern_ops)
  INCLUDE (given_name, family_name, home_unit_path, sensitive, id) WHERE merged_into IS NULL;
DROP INDEX person_family_prefix_idx;
