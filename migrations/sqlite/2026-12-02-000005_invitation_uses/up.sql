-- Small named values the service keeps, e.g. `key_check`: a value that recognises the service's
-- secret key (`keys::ServerKey::check_value`) so that a start with another key file is noticed.
CREATE TABLE settings (
    name   TEXT PRIMARY KEY NOT NULL,
    value  TEXT NOT NULL
);

-- Used invitations, one row each, written in the transaction that stores the response. The row
-- holds a keyed hash of the token (HMAC under the service's secret key, which is not in the
-- database) — not the token's SHA-256 that `invitations` holds — so nothing in the database, in
-- its files or in its history of row versions says WHICH invitation a use (and so the response
-- stored with it) belongs to. The invitation rows themselves are never written again after they
-- are issued. Only the form and the respondent group are here, for the response rate per group.
CREATE TABLE invitation_uses (
    use_hash          TEXT PRIMARY KEY NOT NULL,
    form_id           TEXT NOT NULL,
    respondent_group  TEXT NOT NULL
);
