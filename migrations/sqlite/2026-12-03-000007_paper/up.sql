-- Paper campaigns (docs/paper.md): printed batches of numbered sheets, each operator's entry of
-- a sheet, and the sheet's state in double entry. A sheet becomes a response (channel paper,
-- client_id "paper:<sheet>", so a sheet number is stored once) only when its entries agree or a
-- supervisor reconciled them: pending sheets never reach reports or exports.

-- Every printed batch: which form, for which unit, which serials, when and by whom. Serials are
-- per unit (whatever the form): the sheet number "<unit>-<serial, 6 digits>" is unique.
CREATE TABLE paper_batches (
    id            TEXT PRIMARY KEY NOT NULL,
    form_id       TEXT NOT NULL,
    unit          TEXT NOT NULL REFERENCES units (code),
    first_serial  BIGINT NOT NULL CHECK (first_serial > 0),
    last_serial   BIGINT NOT NULL,
    double_entry  BOOLEAN NOT NULL DEFAULT TRUE,
    printed_at    TIMESTAMP NOT NULL,
    printed_by    TEXT NOT NULL,
    CHECK (last_serial >= first_serial)
);
CREATE INDEX paper_batches_unit ON paper_batches (unit, first_serial);

-- A sheet that was entered at least once. state: 'waiting' (one entry of two), 'disputed' (two
-- entries that differ: in the reconciliation list), 'agreed' (two equal entries, or one in a
-- single-entry batch), 'reconciled' (a supervisor decided). response_id once it is a response.
CREATE TABLE paper_sheets (
    sheet         TEXT PRIMARY KEY NOT NULL,
    batch_id      TEXT NOT NULL REFERENCES paper_batches (id),
    state         TEXT NOT NULL CHECK (state IN ('waiting', 'disputed', 'agreed', 'reconciled')),
    response_id   TEXT,
    updated_at    TIMESTAMP NOT NULL
);
CREATE INDEX paper_sheets_batch ON paper_sheets (batch_id);

-- One operator's entry of one sheet, as typed (answers: the JSON object of the submission;
-- survey_date: the date written on the sheet). Two different operators per sheet at most.
CREATE TABLE paper_entries (
    id           TEXT PRIMARY KEY NOT NULL,
    sheet        TEXT NOT NULL REFERENCES paper_sheets (sheet),
    operator     TEXT NOT NULL,
    survey_date  DATE NOT NULL,
    answers      TEXT NOT NULL,
    entered_at   TIMESTAMP NOT NULL,
    UNIQUE (sheet, operator)
);
