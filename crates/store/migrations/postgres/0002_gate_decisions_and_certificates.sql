-- What the event gate (`POST /gate/v1/events`) decided, and the certificates it was given.
-- Times are Unix seconds. Never edit a migration that has shipped: add a new one.

CREATE TABLE gate_decisions (
    -- Ids only grow, and the store commits them in order (one writer at a time, under an
    -- advisory lock), so `id > $1` finds what arrived since a client last looked.
    id              BIGINT   GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at              BIGINT   NOT NULL,
    -- NULL only for a malformed event that had no valid one.
    action          TEXT,
    label           TEXT,
    uuid            TEXT,
    accepted        BOOLEAN  NOT NULL,
    -- The HTTP status the event was answered with.
    status          SMALLINT NOT NULL CHECK (status BETWEEN 100 AND 599),
    -- The stable refusal code; NULL when accepted.
    reason          TEXT,
    detail          TEXT     NOT NULL,
    -- The list (or unlisted policy) the action fell under.
    rule            TEXT,
    token_sent      BOOLEAN  NOT NULL,
    -- A short, non-reversible tag of a valid token's email; never the address.
    token_email_tag TEXT,
    warning         TEXT
);

CREATE TABLE gate_certificates (
    -- Order of registration; the highest is the active certificate.
    seq           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- RFC 7638 thumbprint of the public key.
    thumbprint    TEXT   NOT NULL UNIQUE,
    -- The public key, SubjectPublicKeyInfo DER.
    spki_der      BYTEA  NOT NULL,
    registered_at BIGINT NOT NULL
);
