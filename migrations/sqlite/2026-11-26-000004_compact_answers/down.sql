DROP INDEX responses_form_seq;
ALTER TABLE responses DROP COLUMN packed;
