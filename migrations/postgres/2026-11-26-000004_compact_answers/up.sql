-- A compact copy of each response's rated and choice answers, one byte a question in the order of
-- the form's layout (`forms::packed`), written in the same transaction as the answers themselves.
-- Reports read it instead of the ~25 answer rows of each response (a million responses: one
-- million short blobs instead of 25 million rows). NULL for responses stored before this column
-- existed: reports then read their answers rows, as before. The `answers` rows stay the record.
ALTER TABLE responses ADD COLUMN packed BYTEA;

-- The report cache reads a form's responses after the last one it has, in `seq` order: without
-- this index the planner takes (form_id, submitted_at) and sorts a million rows to find none.
CREATE INDEX responses_form_seq ON responses (form_id, seq);
