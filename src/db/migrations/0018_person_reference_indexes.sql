-- Columns that point at a person and had no index leading with the person: a merge reads and
-- moves a person's rows by them (src/merges), and deleting a person cascades through them. Without
-- these, each is a full scan of its table (a call list's queue, every phone tree, every reminder).
CREATE INDEX call_target_person_idx ON call_target (person_id);
CREATE INDEX phone_tree_node_person_idx ON phone_tree_node (person_id);
CREATE INDEX event_reminder_person_idx ON event_reminder (person_id);
CREATE INDEX ladder_suggestion_person_idx ON ladder_suggestion (person_id);
CREATE INDEX event_proposed_by_idx ON event (proposed_by) WHERE proposed_by IS NOT NULL;
