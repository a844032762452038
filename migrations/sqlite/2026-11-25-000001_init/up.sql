-- Administrative units: a tree (province → district → commune, or a one-stop office), versioned in
-- time so that old responses keep the unit that was valid when they were given.
CREATE TABLE units (
    code        TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    level       TEXT NOT NULL,
    parent      TEXT REFERENCES units (code),
    valid_from  DATE NOT NULL,
    valid_to    DATE,
    population  BIGINT CHECK (population IS NULL OR population > 0),
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX units_parent ON units (parent);

-- Every version of every form ever offered; responses point at the version they answered.
CREATE TABLE forms (
    form_id       TEXT NOT NULL,
    version       INTEGER NOT NULL,
    content_hash  TEXT NOT NULL,
    definition    TEXT NOT NULL,
    loaded_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (form_id, version),
    UNIQUE (form_id, content_hash)
);

-- One row per submitted questionnaire. Anonymous: nothing here identifies the respondent.
-- `id` (a UUID) is the public identifier; `seq` is the compact internal key the answers refer to
-- (a million responses have some 25 million answers: an 8-byte key instead of a 36-byte one).
CREATE TABLE responses (
    seq           INTEGER PRIMARY KEY NOT NULL,
    id            TEXT NOT NULL UNIQUE,
    client_id     TEXT UNIQUE,
    form_id       TEXT NOT NULL,
    form_version  INTEGER NOT NULL,
    unit          TEXT NOT NULL REFERENCES units (code),
    channel       TEXT NOT NULL CHECK (channel IN ('kiosk', 'phone', 'web', 'paper')),
    submitted_at  TIMESTAMP NOT NULL,
    received_at   TIMESTAMP NOT NULL,
    weight        DOUBLE NOT NULL DEFAULT 1.0 CHECK (weight > 0),
    content_hash  TEXT NOT NULL,
    FOREIGN KEY (form_id, form_version) REFERENCES forms (form_id, version)
);
CREATE INDEX responses_form_submitted ON responses (form_id, submitted_at);
CREATE INDEX responses_unit ON responses (unit);

-- One row per answered question: numeric (ratings 1–5, expectations 1–3) or text (choices, comments).
-- Questions not answered have no row.
CREATE TABLE answers (
    response_seq  BIGINT NOT NULL REFERENCES responses (seq) ON DELETE CASCADE,
    question      TEXT NOT NULL,
    num_value     INTEGER,
    text_value    TEXT,
    PRIMARY KEY (response_seq, question),
    CHECK ((num_value IS NULL) <> (text_value IS NULL))
);
CREATE INDEX answers_question ON answers (question);

CREATE TABLE users (
    id             TEXT PRIMARY KEY NOT NULL,
    username       TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('admin', 'analyst', 'clerk')),
    disabled       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     TIMESTAMP NOT NULL
);

-- Bearer tokens and session cookies; only a SHA-256 of the token is kept.
CREATE TABLE sessions (
    token_hash  TEXT PRIMARY KEY NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
