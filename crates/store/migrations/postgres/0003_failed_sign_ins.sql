-- Failed sign-ins in a row per account, shared by every instance of the service. Times are
-- Unix seconds. Never edit a migration that has shipped: add a new one.

CREATE TABLE failed_sign_ins (
    -- SHA-256 of the lower-cased email address tried: unknown addresses are counted too, and
    -- the address itself is not stored.
    account_key    BYTEA  NOT NULL PRIMARY KEY CHECK (length(account_key) = 32),
    failures       BIGINT NOT NULL CHECK (failures > 0),
    -- Set by the failure that reaches the limit; NULL while the account is not locked.
    locked_until   BIGINT,
    last_failed_at BIGINT NOT NULL
);

CREATE INDEX failed_sign_ins_by_time ON failed_sign_ins (last_failed_at);
