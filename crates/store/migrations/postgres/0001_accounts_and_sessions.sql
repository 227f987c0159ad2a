-- Customer accounts and their server-side sessions (the PostgreSQL form of the SQLite schema).
-- Times are Unix seconds. Never edit a migration that has shipped: add a new one.

CREATE TABLE accounts (
    -- An identity: an id is never reused, even after its account is removed.
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         TEXT   NOT NULL,
    -- The address with its ASCII letters lower-cased (as SQLite's NOCASE compares): one account
    -- per address whatever the case of its letters. Written by the store, never by hand.
    email_key     TEXT   COLLATE "C" NOT NULL UNIQUE,
    -- argon2id PHC string; it carries its own parameters.
    password_hash TEXT   NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE sessions (
    -- SHA-256 of the token's 32 random bytes; the token itself is never stored.
    token_hash    BYTEA  NOT NULL PRIMARY KEY CHECK (length(token_hash) = 32),
    account_id    BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at    BIGINT NOT NULL,
    last_seen     BIGINT NOT NULL,
    idle_ttl_secs BIGINT NOT NULL CHECK (idle_ttl_secs > 0),
    -- created_at + the absolute lifetime.
    expires_at    BIGINT NOT NULL
);

CREATE INDEX sessions_by_account ON sessions (account_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
