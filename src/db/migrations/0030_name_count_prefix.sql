-- A one-word name search counts its people from the organization's names (person_name_count,
-- 0029): the names that start with the word, read as a range. The primary key orders names by the
-- database's collation, where a prefix is no range; this index orders them byte by byte, as the
-- person table's name indexes do (text_pattern_ops), so LIKE 'mar%' is a range of it.
CREATE INDEX person_name_count_prefix_idx ON person_name_count (org_id, part, name text_pattern_ops);
