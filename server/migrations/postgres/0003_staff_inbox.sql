-- The staff inbox: statuses for following a pledge up, searchable columns copied from the
-- pledge JSON (which stays the source of truth for display), an audit trail, the wordings
-- donors agreed to, and staff sign-in.

ALTER TABLE pledges DROP CONSTRAINT pledges_status_check;
ALTER TABLE pledges ADD CONSTRAINT pledges_status_check
    CHECK (status IN ('new', 'contacted', 'converted', 'declined', 'review'));

-- Copies of the pledge's fields that the inbox filters, sorts and searches on. The lower-case
-- copies make searching case-insensitive with a plain LIKE on both backends.
ALTER TABLE pledges
    ADD COLUMN sponsorship_option TEXT,
    ADD COLUMN frequency          TEXT,
    ADD COLUMN currency           TEXT,
    ADD COLUMN amount_minor       BIGINT,
    ADD COLUMN donor_email        TEXT,
    ADD COLUMN donor_email_lower  TEXT,
    ADD COLUMN donor_given_name   TEXT,
    ADD COLUMN donor_family_name  TEXT,
    ADD COLUMN donor_name_lower   TEXT,
    ADD COLUMN has_gift_aid       BOOLEAN,
    -- When the donor's personal data was erased (on request, or by the retention rule).
    ADD COLUMN erased_at          BIGINT;

UPDATE pledges SET
    sponsorship_option = pledge::jsonb ->> 'option',
    frequency          = pledge::jsonb ->> 'frequency',
    currency           = pledge::jsonb -> 'amount' ->> 'currency',
    amount_minor       = (pledge::jsonb -> 'amount' ->> 'minor_units')::BIGINT,
    donor_email        = pledge::jsonb -> 'donor' ->> 'email',
    donor_email_lower  = lower(pledge::jsonb -> 'donor' ->> 'email'),
    donor_given_name   = pledge::jsonb -> 'donor' ->> 'given_name',
    donor_family_name  = pledge::jsonb -> 'donor' ->> 'family_name',
    donor_name_lower   = lower(trim((pledge::jsonb -> 'donor' ->> 'given_name') || ' ' || (pledge::jsonb -> 'donor' ->> 'family_name'))),
    has_gift_aid       = (pledge::jsonb -> 'gift_aid') IS NOT NULL;

ALTER TABLE pledges
    ALTER COLUMN sponsorship_option SET NOT NULL,
    ALTER COLUMN frequency          SET NOT NULL,
    ALTER COLUMN currency           SET NOT NULL,
    ALTER COLUMN amount_minor       SET NOT NULL,
    ALTER COLUMN donor_email        SET NOT NULL,
    ALTER COLUMN donor_email_lower  SET NOT NULL,
    ALTER COLUMN donor_given_name   SET NOT NULL,
    ALTER COLUMN donor_family_name  SET NOT NULL,
    ALTER COLUMN donor_name_lower   SET NOT NULL,
    ALTER COLUMN has_gift_aid       SET NOT NULL;

CREATE INDEX pledges_donor_email_lower ON pledges (donor_email_lower);

-- What happened to each pledge, by whom. Never holds personal data: erasure events name the
-- pledge, not the email that was asked for.
CREATE TABLE pledge_events (
    id          BIGSERIAL PRIMARY KEY,
    pledge_id   BIGINT NOT NULL REFERENCES pledges (id),
    at          BIGINT NOT NULL,
    actor       TEXT   NOT NULL,
    kind        TEXT   NOT NULL
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
    id            BIGSERIAL PRIMARY KEY,
    username      TEXT   NOT NULL UNIQUE,
    password_hash TEXT   NOT NULL,
    created_at    BIGINT NOT NULL
);

-- Sessions are found by a hash of their token; the token itself is never stored.
CREATE TABLE staff_sessions (
    token_hash   BYTEA  PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES staff_users (id),
    csrf_token   TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);

CREATE INDEX staff_sessions_user_id ON staff_sessions (user_id);
CREATE INDEX staff_sessions_last_seen_at ON staff_sessions (last_seen_at);
