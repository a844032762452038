-- Who did what, when, from where: logins (success and failure), exports, report downloads, admin
-- changes. Append-only: the triggers refuse UPDATE and DELETE. `address_hash` is a keyed hash of
-- the client address with a key that changes every day (never the address itself).
CREATE TABLE audit_log (
    id            INTEGER PRIMARY KEY NOT NULL,
    at            TIMESTAMP NOT NULL,
    actor         TEXT,
    role          TEXT,
    action        TEXT NOT NULL,
    target        TEXT,
    outcome       TEXT NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
    detail        TEXT,
    address_hash  TEXT
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- Administrative reforms: a unit that was closed and taken over by another (e.g. communes merged
-- in 2025). Reports can re-aggregate past responses to today's tree through this table, while each
-- response keeps the unit that was valid when it was given. One successor per old unit.
CREATE TABLE unit_mappings (
    old_code   TEXT PRIMARY KEY NOT NULL REFERENCES units (code),
    new_code   TEXT NOT NULL REFERENCES units (code),
    effective  DATE NOT NULL,
    CHECK (old_code <> new_code)
);
CREATE INDEX unit_mappings_new ON unit_mappings (new_code);
