-- The staff inbox: statuses for following a pledge up, searchable columns copied from the
-- pledge JSON (which stays the source of truth for display), an audit trail, the wordings
-- donors agreed to, and staff sign-in.

-- SQLite cannot change a CHECK constraint in place, so the table is rebuilt with the same ids
-- and rows.
CREATE TABLE pledges_rebuilt (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    reference          TEXT    NOT NULL UNIQUE,
    partner            TEXT    NOT NULL,
    idempotency_key    TEXT    NOT NULL,
    body_hash          BLOB    NOT NULL,
    received_at        INTEGER NOT NULL,
    pledge             TEXT    NOT NULL,
    status             TEXT    NOT NULL DEFAULT 'new'
                       CHECK (status IN ('new', 'contacted', 'converted', 'declined', 'review')),
    review_reason      TEXT    CHECK (review_reason IN ('honeypot', 'too_fast')),
    released_at        INTEGER,
    -- Copies of the pledge's fields that the inbox filters, sorts and searches on. The
    -- lower-case copies make searching case-insensitive with a plain LIKE on both backends.
    sponsorship_option TEXT    NOT NULL,
    frequency          TEXT    NOT NULL,
    currency           TEXT    NOT NULL,
    amount_minor       INTEGER NOT NULL,
    donor_email        TEXT    NOT NULL,
    donor_email_lower  TEXT    NOT NULL,
    donor_given_name   TEXT    NOT NULL,
    donor_family_name  TEXT    NOT NULL,
    donor_name_lower   TEXT    NOT NULL,
    has_gift_aid       BOOLEAN NOT NULL,
    -- When the donor's personal data was erased (on request, or by the retention rule).
    erased_at          INTEGER,
    UNIQUE (partner, idempotency_key)
);

INSERT INTO pledges_rebuilt (
    id, reference, partner, idempotency_key, body_hash, received_at, pledge, status, review_reason, released_at,
    sponsorship_option, frequency, currency, amount_minor, donor_email, donor_email_lower, donor_given_name,
    donor_family_name, donor_name_lower, has_gift_aid
)
SELECT
    id, reference, partner, idempotency_key, body_hash, received_at, pledge, status, review_reason, released_at,
    json_extract(pledge, '$.option'),
    json_extract(pledge, '$.frequency'),
    json_extract(pledge, '$.amount.currency'),
    json_extract(pledge, '$.amount.minor_units'),
    json_extract(pledge, '$.donor.email'),
    lower(json_extract(pledge, '$.donor.email')),
    json_extract(pledge, '$.donor.given_name'),
    json_extract(pledge, '$.donor.family_name'),
    lower(trim(json_extract(pledge, '$.donor.given_name') || ' ' || json_extract(pledge, '$.donor.family_name'))),
    json_extract(pledge, '$.gift_aid') IS NOT NULL
FROM pledges;

-- Ids are never reused (the export's cursor relies on that), so the counter carries over.
DELETE FROM sqlite_sequence WHERE name = 'pledges_rebuilt';
UPDATE sqlite_sequence SET name = 'pledges_rebuilt' WHERE name = 'pledges';

DROP TABLE pledges;
ALTER TABLE pledges_rebuilt RENAME TO pledges;

CREATE INDEX pledges_received_at ON pledges (received_at);
CREATE INDEX pledges_partner_id ON pledges (partner, id);
CREATE INDEX pledges_status_id ON pledges (status, id);
CREATE INDEX pledges_donor_email_lower ON pledges (donor_email_lower);

-- What happened to each pledge, by whom. Never holds personal data: erasure events name the
-- pledge, not the email that was asked for.
CREATE TABLE pledge_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    pledge_id   INTEGER NOT NULL REFERENCES pledges (id),
    at          INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    kind        TEXT    NOT NULL
                CHECK (kind IN ('received', 'held_for_review', 'released', 'status_changed', 'erased', 'anonymised')),
    from_status TEXT,
    to_status   TEXT,
    note        TEXT
);

CREATE INDEX pledge_events_pledge_id ON pledge_events (pledge_id, id);

-- The history so far, as far as the stored rows tell it.
INSERT INTO pledge_events (pledge_id, at, actor, kind, to_status)
SELECT id, received_at, 'widget', 'received', CASE WHEN review_reason IS NULL THEN 'new' ELSE 'review' END
FROM pledges ORDER BY id;
INSERT INTO pledge_events (pledge_id, at, actor, kind, to_status, note)
SELECT id, received_at, 'spam_check', 'held_for_review', 'review', review_reason
FROM pledges WHERE review_reason IS NOT NULL ORDER BY id;
INSERT INTO pledge_events (pledge_id, at, actor, kind, from_status, to_status)
SELECT id, released_at, 'admin_api', 'released', 'review', 'new'
FROM pledges WHERE released_at IS NOT NULL ORDER BY id;

-- The texts donors agreed to (Gift Aid declaration, marketing consent), by version and locale.
-- A version's text never changes once pledges were made under it.
CREATE TABLE wordings (
    kind    TEXT NOT NULL,
    version TEXT NOT NULL,
    locale  TEXT NOT NULL,
    text    TEXT NOT NULL,
    PRIMARY KEY (kind, version, locale)
);

CREATE TABLE staff_users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL UNIQUE,
    password_hash TEXT    NOT NULL,
    created_at    INTEGER NOT NULL
);

-- Sessions are found by a hash of their token; the token itself is never stored.
CREATE TABLE staff_sessions (
    token_hash   BLOB    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES staff_users (id),
    csrf_token   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);

CREATE INDEX staff_sessions_user_id ON staff_sessions (user_id);
CREATE INDEX staff_sessions_last_seen_at ON staff_sessions (last_seen_at);
