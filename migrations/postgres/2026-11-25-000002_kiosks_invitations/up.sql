-- Kiosk tablets at one-stop counters. The device token is shown once to the administrator (as a
-- link and QR code to open on the tablet); only its SHA-256 is kept.
CREATE TABLE kiosks (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL,
    unit        TEXT NOT NULL REFERENCES units (code),
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  TIMESTAMP NOT NULL,
    revoked_at  TIMESTAMP
);

-- Single-use invitations (the delegates' survey). Only the token's SHA-256 is kept. Deliberately
-- no time of use and no reference from `responses`: a response cannot be traced back to the
-- invitation (and so to the person) that it came through; only how many were used per group.
CREATE TABLE invitations (
    token_hash        TEXT PRIMARY KEY NOT NULL,
    form_id           TEXT NOT NULL,
    respondent_group  TEXT NOT NULL,
    unit              TEXT NOT NULL REFERENCES units (code),
    created_at        TIMESTAMP NOT NULL,
    used              BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX invitations_form_group ON invitations (form_id, respondent_group);
