-- Times are microseconds since the Unix epoch (UTC) in both backends, so the two stores
-- answer the same filters with the same arithmetic.
CREATE TABLE pledges (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    reference       TEXT    NOT NULL UNIQUE,
    partner         TEXT    NOT NULL,
    idempotency_key TEXT    NOT NULL,
    body_hash       BLOB    NOT NULL,
    received_at     INTEGER NOT NULL,
    pledge          TEXT    NOT NULL,
    -- Keys are scoped per partner and live exactly as long as the pledge row.
    UNIQUE (partner, idempotency_key)
);

CREATE INDEX pledges_received_at ON pledges (received_at);
CREATE INDEX pledges_partner_id ON pledges (partner, id);

-- Honeypot hits and implausibly fast fills: counted, never kept as pledges, and free of
-- personal data.
CREATE TABLE spam_attempts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    partner     TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    received_at INTEGER NOT NULL
);
