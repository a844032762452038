DROP TABLE paper_entries;
DROP TABLE paper_sheets;
DROP TABLE paper_batches;
