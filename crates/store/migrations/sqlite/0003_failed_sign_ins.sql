-- Failed sign-ins in a row per account, kept in the database so that every instance of the
-- service counts the same run. Times are Unix seconds. Never edit a migration that has shipped:
-- add a new one.

CREATE TABLE failed_sign_ins (
    -- SHA-256 of the lower-cased email address tried: unknown addresses are counted too, and
    -- the address itself is not stored.
    account_key    BLOB    NOT NULL PRIMARY KEY CHECK (length(account_key) = 32),
    failures       INTEGER NOT NULL CHECK (failures > 0),
    -- Set by the failure that reaches the limit; NULL while the account is not locked.
    locked_until   INTEGER,
    last_failed_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX failed_sign_ins_by_time ON failed_sign_ins (last_failed_at);
