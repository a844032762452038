-- Who did what, when, from where: logins (success and failure), exports, report downloads, admin
-- changes. Append-only: the trigger refuses UPDATE, DELETE and TRUNCATE. `address_hash` is a keyed
-- hash of the client address with a key that changes every day (never the address itself).
CREATE TABLE audit_log (
    id            BIGSERIAL PRIMARY KEY,
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
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

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
