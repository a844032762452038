DROP TABLE response_versions;
DROP TABLE paper_sample_sheets;
DROP TABLE paper_samples;
