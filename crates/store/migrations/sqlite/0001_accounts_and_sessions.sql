-- Customer accounts and their server-side sessions.
-- Times are Unix seconds. Never edit a migration that has shipped: add a new one.

CREATE TABLE accounts (
    -- AUTOINCREMENT: an id is never reused, even after its account is removed.
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    -- NOCASE: one account per address whatever the case of its (ASCII) letters.
    email         TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    -- argon2id PHC string; it carries its own parameters.
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE sessions (
    -- SHA-256 of the token's 32 random bytes; the token itself is never stored.
    token_hash    BLOB    NOT NULL PRIMARY KEY CHECK (length(token_hash) = 32),
    account_id    INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    last_seen     INTEGER NOT NULL,
    idle_ttl_secs INTEGER NOT NULL CHECK (idle_ttl_secs > 0),
    -- created_at + the absolute lifetime.
    expires_at    INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX sessions_by_account ON sessions (account_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
