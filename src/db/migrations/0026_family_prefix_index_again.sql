-- The narrow family-name index again, beside the wide one of 0023.
--
-- Migration 0023 dropped person_family_prefix_idx for person_family_scope_idx (same key, partial,
-- carrying names, unit, flag and id for index-only one-word counts). Searches of several name
-- words do not read only the index: they combine the family-name range with the full-name trigram
-- index and visit the matches. Through the wide index (about 100 MB at a million people, against
-- 20 MB) those searches took twice as long: on a 1M-people copy, 60 two-word searches ran at
-- 29.4 / 49.6 ms (page, p50 / p95) and 21.7 / 40.3 ms (count) without this index, and 13.7 / 25.0
-- and 11.8 / 22.4 ms with it.
CREATE INDEX person_family_prefix_idx ON person (org_id, lower(family_name) text_pattern_ops, lower(given_name));
