-- The outbox: each notification is written in the same transaction as the change it reports,
-- and delivered afterwards by a worker. An event is serialised once; `payload` is the exact body
-- every attempt sends, and it is cleared (NULL) when the pledge is erased, so that the copy of
-- the donor's personal data goes with the rest.
CREATE TABLE outbox_events (
    id         INTEGER PRIMARY KEY,
    event_id   TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    reference  TEXT NOT NULL,
    payload    BLOB
);

CREATE INDEX outbox_events_reference ON outbox_events (reference, id);

-- One row per event and endpoint. A worker leases a due row (`leased_until`) before it sends,
-- so that two receivers never send the same row at once; a lease that runs out (the process was
-- killed) makes the row due again. Times are microseconds since the Unix epoch.
CREATE TABLE outbox_deliveries (
    id              INTEGER PRIMARY KEY,
    event_row_id    INTEGER NOT NULL REFERENCES outbox_events (id),
    endpoint        TEXT NOT NULL,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    leased_until    INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    delivered_at    INTEGER,
    UNIQUE (event_row_id, endpoint)
);

CREATE INDEX outbox_deliveries_due ON outbox_deliveries (status, next_attempt_at);
