-- What the event gate (`POST /gate/v1/events`) decided, and the certificates it was given.
-- Times are Unix seconds. Never edit a migration that has shipped: add a new one.

CREATE TABLE gate_decisions (
    -- AUTOINCREMENT: ids only grow, so `id > ?` finds what arrived since a client last looked,
    -- and a pruned id is never handed out again.
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    at              INTEGER NOT NULL,
    -- NULL only for a malformed event that had no valid one.
    action          TEXT,
    label           TEXT,
    uuid            TEXT,
    accepted        INTEGER NOT NULL CHECK (accepted IN (0, 1)),
    -- The HTTP status the event was answered with.
    status          INTEGER NOT NULL CHECK (status BETWEEN 100 AND 599),
    -- The stable refusal code; NULL when accepted.
    reason          TEXT,
    detail          TEXT    NOT NULL,
    -- The list (or unlisted policy) the action fell under.
    rule            TEXT,
    token_sent      INTEGER NOT NULL CHECK (token_sent IN (0, 1)),
    -- A short, non-reversible tag of a valid token's email; never the address.
    token_email_tag TEXT,
    warning         TEXT
) STRICT;
-- No secondary index: the log is capped (10,000 rows by default), and every listing walks the
-- primary key newest first and stops at its limit.

CREATE TABLE gate_certificates (
    -- Order of registration; the highest is the active certificate.
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    -- RFC 7638 thumbprint of the public key.
    thumbprint    TEXT    NOT NULL UNIQUE,
    -- The public key, SubjectPublicKeyInfo DER.
    spki_der      BLOB    NOT NULL,
    registered_at INTEGER NOT NULL
) STRICT;
