-- Several name words read one index alone, and the narrow family-name index goes.
--
-- A search of several words ("maria gar") is split into two disjoint halves, like a one-word
-- search (nameHalves): the family name starts with the last word and the given name with the
-- first, or the other way round. With the given name as the family-name index's second key, each
-- half is one range of this index, checked on the index entries alone: an index-only scan that
-- visits no table row. Before, the family-name range was read from person_family_prefix_idx and
-- every person in it fetched (on a 1M-people copy, "rus kel" fetched 11,594 rows for 59 matches,
-- 30 ms). The narrow index is no longer read by any search, and every import paid for it.
DROP INDEX person_family_prefix_idx;
DROP INDEX person_family_scope_idx;
CREATE INDEX person_family_scope_idx ON person
  (org_id, lower(family_name) text_pattern_ops, lower(given_name) text_pattern_ops)
  INCLUDE (family_name, given_name, home_unit_path, sensitive, id) WHERE merged_into IS NULL;
