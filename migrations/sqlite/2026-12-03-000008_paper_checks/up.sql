-- Phúc tra (docs/paper.md): a random sample of a form's stored paper sheets drawn for re-checking
-- against the paper, the checker's outcome for each sampled sheet, and the earlier versions of a
-- response that a correction replaced (the response keeps the corrected answers; reports use them).

-- A drawn sample: which form, how many (a share in hundredths of a percent, or a count per unit),
-- optionally one printed batch, the seed (the same seed and the same population draw the same
-- sheets), when and by whom.
CREATE TABLE paper_samples (
    id              TEXT PRIMARY KEY NOT NULL,
    form_id         TEXT NOT NULL,
    share_bp        INTEGER CHECK (share_bp > 0 AND share_bp <= 10000),
    count_per_unit  INTEGER CHECK (count_per_unit > 0),
    batch_id        TEXT REFERENCES paper_batches (id),
    seed            BIGINT NOT NULL CHECK (seed >= 0),
    drawn_at        TIMESTAMP NOT NULL,
    drawn_by        TEXT NOT NULL,
    CHECK ((share_bp IS NULL) <> (count_per_unit IS NULL))
);
CREATE INDEX paper_samples_form ON paper_samples (form_id, drawn_at);

-- Every sheet of a sample, and once checked: 'correct' or 'wrong', when, by whom, and (for a
-- wrong one) the operators whose entry differed from the corrected sheet (a JSON array).
CREATE TABLE paper_sample_sheets (
    sample_id         TEXT NOT NULL REFERENCES paper_samples (id),
    sheet             TEXT NOT NULL REFERENCES paper_sheets (sheet),
    outcome           TEXT CHECK (outcome IN ('correct', 'wrong')),
    checked_at        TIMESTAMP,
    checked_by        TEXT,
    faulty_operators  TEXT,
    PRIMARY KEY (sample_id, sheet)
);
CREATE INDEX paper_sample_sheets_sheet ON paper_sample_sheets (sheet);

-- A response's earlier versions, kept when a correction replaced them: version n holds the
-- answers (JSON object by question code), content hash and time of version n; the response
-- itself holds the newest. reason: 'phuc_tra' (a re-check against the paper).
CREATE TABLE response_versions (
    response_id   TEXT NOT NULL,
    version       INTEGER NOT NULL CHECK (version > 0),
    answers       TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    submitted_at  TIMESTAMP NOT NULL,
    replaced_at   TIMESTAMP NOT NULL,
    replaced_by   TEXT NOT NULL,
    reason        TEXT NOT NULL CHECK (reason IN ('phuc_tra')),
    PRIMARY KEY (response_id, version)
);
